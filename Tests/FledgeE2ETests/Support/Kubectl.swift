import Foundation
import KubeJSON
import PrometheusTesting
import TestSupport

/// The real kubectl (`.venv/bin/kubectl` from `make deps`) against the shared emulator, with a HOME and cache
/// directory of its own. Output goes to files, so a large answer never blocks on a full pipe.
struct Kubectl: Sendable {
    /// One finished kubectl run.
    struct Result: Sendable {
        var arguments: [String]
        var status: Int32
        var stdout: String
        var stderr: String

        var succeeded: Bool { status == 0 }
        var commandLine: String { "kubectl " + arguments.joined(separator: " ") }
    }

    let kubeconfig: String
    let home: String

    init(kubeconfig: String, home: String) throws {
        guard FileManager.default.isExecutableFile(atPath: E2EPaths.kubectl) else {
            throw E2EError("kubectl not found at \(E2EPaths.kubectl): run `make deps`")
        }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        self.kubeconfig = kubeconfig
        self.home = home
    }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["KUBECONFIG"] = kubeconfig
        environment["KUBECACHEDIR"] = home + "/cache"
        environment["KUBECTL_KUBERC"] = "false"
        return environment
    }

    /// Runs kubectl to completion; `stdin` is fed from a file. Never throws for a non-zero exit; throws when it
    /// runs longer than `timeout` scaled by ``TestTimeouts``.
    func run(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> Result {
        let id = UUID().uuidString.prefix(8)
        let outPath = "\(home)/out-\(id)", errPath = "\(home)/err-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: E2EPaths.kubectl)
        process.arguments = arguments
        process.environment = environment
        let output = FileHandle(forWritingAtPath: outPath), errors = FileHandle(forWritingAtPath: errPath)
        process.standardOutput = output
        process.standardError = errors
        var inPath: String?
        var input: FileHandle?
        if let stdin {
            let path = "\(home)/in-\(id)"
            _ = FileManager.default.createFile(atPath: path, contents: Data(stdin.utf8))
            input = FileHandle(forReadingAtPath: path)
            process.standardInput = input
            inPath = path
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { if let inPath { try? FileManager.default.removeItem(atPath: inPath) } }
        // Closed here: Foundation's Process keeps them open after the child exits, so every call leaked two or
        // three descriptors. A run that polls long enough (a busy machine) passed 1,300 of them, and past that
        // Process.run() itself crashes the test process (it over-reads /proc/self/fd's entries;
        // swift-corelibs-foundation #5472).
        defer {
            try? output?.close()
            try? errors?.close()
            try? input?.close()
        }
        try process.run()
        let deadline = ContinuousClock.now + TestTimeouts.scaled(timeout)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw E2EError("kubectl \(arguments.joined(separator: " ")) did not finish within \(TestTimeouts.describe(timeout)); "
                    + "stderr: \((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return Result(arguments: arguments, status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Runs kubectl and throws, with its stderr, unless it exits 0; returns stdout.
    @discardableResult
    func ok(_ arguments: String..., stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> String {
        try await ok(arguments, stdin: stdin, timeout: timeout)
    }

    @discardableResult
    func ok(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> String {
        let result = try await run(arguments, stdin: stdin, timeout: timeout)
        guard result.succeeded else {
            throw E2EError("\(result.commandLine) exited \(result.status): \(result.stderr)\(result.stdout)")
        }
        return result.stdout
    }

    /// `kubectl get ... -o json`, parsed; nil when the object does not exist.
    func getJSON(_ arguments: [String]) async throws -> JSONValue? {
        let result = try await run(["get"] + arguments + ["-o", "json"])
        if !result.succeeded {
            if result.stderr.contains("NotFound") || result.stderr.contains("not found") { return nil }
            throw E2EError("\(result.commandLine) exited \(result.status): \(result.stderr)")
        }
        return try JSONValue(parsing: result.stdout)
    }

    /// `kubectl apply -f -` of one object (JSON or YAML).
    @discardableResult
    func apply(_ manifest: String, namespace: String? = nil) async throws -> String {
        var arguments = ["apply", "-f", "-"]
        if let namespace { arguments += ["-n", namespace] }
        return try await ok(arguments, stdin: manifest)
    }
}
