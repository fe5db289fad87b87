import Foundation

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
    static func prometheus() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROMETHEUS_BIN"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw E2EError("PROMETHEUS_BIN=\(explicit) is not executable")
            }
            return explicit
        }
        let path = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/prometheus" } + ["/usr/bin/prometheus"]
        for candidate in path where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw E2EError("prometheus not found on the PATH or at /usr/bin/prometheus: run `make deps`")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket() failed: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw E2EError("bind() failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw E2EError("getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
