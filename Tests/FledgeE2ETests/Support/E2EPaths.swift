import Foundation
import PrometheusTesting

/// A failure of the end-to-end harness itself (a process that would not start, a deadline passed), with a
/// message that says what was expected and what was seen.
struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where the end-to-end tests find the repository, the built executables and the tools `make deps` installs.
enum E2EPaths {
    /// The repository's root (three levels above this file).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The real kubectl `make deps` installs.
    static var kubectl: String { repositoryRoot.appendingPathComponent(".venv/bin/kubectl").path }

    /// A file of the install manifests (`manifests/<name>`).
    static func manifest(_ name: String) -> String { repositoryRoot.appendingPathComponent("manifests/\(name)").path }

    /// The CRD directory applied before any scenario.
    static var crdFile: String { repositoryRoot.appendingPathComponent("crds/rollouts.fledge.dev.yaml").path }

    /// A product built by `swift build --build-tests`: first next to the running test binary (the same build
    /// configuration), else under `.build/debug`.
    static func executable(_ name: String) throws -> String {
        var candidates: [String] = []
        let argument0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        var directory = argument0.deletingLastPathComponent()
        // On Linux the test binary is `.build/<triple>/debug/FledgePackageTests.xctest`; on Darwin it is a bundle
        // whose executable sits deeper.
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent(name).path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/\(name)").path)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw E2EError("\(name) is not built (looked at \(candidates.joined(separator: ", "))); run `swift build --build-tests` (make test does)")
    }

    /// Debian's `prometheus` (`$PROMETHEUS_BIN` overrides it), installed by `make deps`.
    static func prometheus() throws -> String { try PrometheusBinary.path() }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int { try LoopbackPort.free() }
}
