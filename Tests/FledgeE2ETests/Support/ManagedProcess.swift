import Foundation
import PrometheusTesting
import TestSupport
import Synchronization

/// A child process of the test run (emulator, simulator, Prometheus, controller) whose stdout and stderr go to
/// files in the run's log directory, so a test can wait for a line, and a failure can show the tail of the log.
///
/// Every process started here is registered with ``ProcessRegistry``, which stops what is still running when the
/// test process exits.
final class ManagedProcess: @unchecked Sendable {
    let name: String
    let stdoutPath: String
    let stderrPath: String
    private let process: Process

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    private init(name: String, process: Process, stdoutPath: String, stderrPath: String) {
        self.name = name
        self.process = process
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Starts `executable` with `arguments`; logs go to `<logDirectory>/<name>.out` and `.log` (appended, so a
    /// restarted process keeps one log).
    static func start(name: String, executable: String, arguments: [String], logDirectory: URL,
                      environment: [String: String]? = nil) throws -> ManagedProcess {
        let stdoutPath = logDirectory.appendingPathComponent("\(name).out").path
        let stderrPath = logDirectory.appendingPathComponent("\(name).log").path
        for path in [stdoutPath, stderrPath] where !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        out.seekToEndOfFile()
        err.seekToEndOfFile()
        let note = "---- \(Date()) start: \(executable) \(arguments.joined(separator: " "))\n"
        err.write(Data(note.utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let managed = ManagedProcess(name: name, process: process, stdoutPath: stdoutPath, stderrPath: stderrPath)
        ProcessRegistry.shared.register(managed)
        return managed
    }

    /// Everything written to stdout so far.
    var output: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// The last `characters` of stderr.
    func logTail(_ characters: Int = 4000) -> String {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return String(text.suffix(characters))
    }

    /// Waits for a stdout line starting with `prefix` and returns the rest of the line; fails with the log's
    /// tail if the process exits first or `timeout` (scaled by ``TestTimeouts``) passes.
    func waitForLine(startingWith prefix: String, after skipped: Int = 0, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + TestTimeouts.scaled(timeout)
        while ContinuousClock.now < deadline {
            let lines = output.split(separator: "\n").dropFirst(skipped)
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            if !process.isRunning {
                throw E2EError("\(name) exited with status \(process.terminationStatus) before printing \"\(prefix)\"; stderr:\n\(logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError("\(name) did not print \"\(prefix)\" within \(TestTimeouts.describe(timeout)); stdout (tail):\n"
            + "\(output.suffix(1000))\nstderr:\n\(logTail())")
    }

    /// How many stdout lines there are now (to wait for a line printed after a restart).
    var outputLineCount: Int { output.split(separator: "\n").count }

    /// Sends `signal` and waits up to `timeout` for the exit; SIGKILL after that.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        ProcessRegistry.shared.unregister(self)
    }

    /// SIGKILL, at once: the process gets no chance to clean up.
    func kill9() async {
        await stop(signal: SIGKILL, timeout: .seconds(5))
    }

    /// Stops without waiting (at process exit).
    fileprivate func terminateNow() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    fileprivate func killNow() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// The processes the test run started and has not stopped yet; an `atexit` handler stops them, so no emulator,
/// Prometheus or controller outlives `swift test`.
final class ProcessRegistry: Sendable {
    static let shared = ProcessRegistry()
    private let running = Mutex<[ObjectIdentifier: ManagedProcess]>([:])

    private init() {
        atexit { ProcessRegistry.shared.stopAll() }
    }

    func register(_ process: ManagedProcess) {
        running.withLock { $0[ObjectIdentifier(process)] = process }
    }

    func unregister(_ process: ManagedProcess) {
        _ = running.withLock { $0.removeValue(forKey: ObjectIdentifier(process)) }
    }

    /// SIGTERM to all, up to 3 s for them to exit, then SIGKILL.
    func stopAll() {
        let processes = running.withLock { Array($0.values) }
        guard !processes.isEmpty else { return }
        for process in processes { process.terminateNow() }
        let deadline = Date().addingTimeInterval(3)
        while processes.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
        for process in processes { process.killNow() }
    }
}
