import Foundation
import KubeEmulator
import TestSupport
import Testing

/// Runs the real kubectl (from `make deps`) against an emulator, with its own HOME, kubeconfig and cache dir.
struct Kubectl: Sendable {
    struct Result: Sendable {
        var code: Int32
        var out: String
        var err: String
        var combined: String { out + err }
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = repoRoot.appendingPathComponent(".venv/bin/kubectl").path

    let home: String
    let kubeconfig: String

    /// Fails (never skips) when kubectl is missing.
    static func make(for emulator: KubeEmulator, name: String) throws -> Kubectl {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("kubectl not found at \(binary): run `make deps`")
            throw TestFailure("kubectl missing: run `make deps`")
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let kubeconfig = home + "/kubeconfig"
        try emulator.writeKubeconfig(to: kubeconfig)
        return Kubectl(home: home, kubeconfig: kubeconfig)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home
        env["KUBECONFIG"] = kubeconfig
        env["KUBECACHEDIR"] = home + "/cache"
        env["KUBECTL_KUBERC"] = "false"
        return env
    }

    /// Starts kubectl; output goes to files so a chatty command cannot block on a full pipe.
    func start(_ args: [String], stdin: String? = nil) throws -> Running {
        let id = UUID().uuidString.prefix(8)
        let outPath = "\(home)/out-\(id)", errPath = "\(home)/err-\(id)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        p.environment = environment
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        if let stdin {
            let inPath = "\(home)/in-\(id)"
            FileManager.default.createFile(atPath: inPath, contents: Data(stdin.utf8))
            p.standardInput = FileHandle(forReadingAtPath: inPath)
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        let running = Running(process: p, outPath: outPath, errPath: errPath)
        try p.run()
        return running
    }

    /// Runs kubectl to completion (without blocking a concurrency thread).
    @discardableResult
    func run(_ args: String..., stdin: String? = nil, timeout: Double = 60) async throws -> Result {
        try await start(args, stdin: stdin).wait(timeout: timeout)
    }

    /// Runs kubectl and fails the test unless it exits 0.
    @discardableResult
    func ok(_ args: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let r = try await start(args, stdin: stdin).wait(timeout: 60)
        #expect(r.code == 0, "kubectl \(args.joined(separator: " ")) failed: \(r.err)", sourceLocation: sourceLocation)
        return r.out
    }

    final class Running: @unchecked Sendable {
        let process: Process
        let outPath: String
        let errPath: String

        init(process: Process, outPath: String, errPath: String) {
            self.process = process
            self.outPath = outPath
            self.errPath = errPath
        }

        var output: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

        /// Waits for the exit; terminates kubectl after `timeout` seconds scaled by ``TestTimeouts``.
        func wait(timeout: Double) async throws -> Result {
            let limit = Duration.milliseconds(Int(timeout * 1000))
            let deadline = ContinuousClock.now + TestTimeouts.scaled(limit)
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    process.terminate()
                    throw TestFailure("kubectl \(process.arguments?.joined(separator: " ") ?? "") did not finish within "
                        + "\(TestTimeouts.describe(limit)); stderr: \(errors)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            return Result(code: process.terminationStatus, out: output, err: errors)
        }

        /// Polls the output until `condition` holds.
        func waitForOutput(_ seconds: Double = 20, _ condition: (String) -> Bool) async throws {
            try await TestTimeouts.poll("kubectl output", limit: .milliseconds(Int(seconds * 1000)),
                                        lastSeen: { "\(output) \(errors)" }) { condition(output) }
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }
}
