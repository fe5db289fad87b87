import CanaryAnalysis
import FledgeCLI
import Foundation
import Synchronization

/// Captures what a command writes to standard output and standard error.
final class Capture: Sendable {
    private let buffers = Mutex<(out: String, err: String)>(("", ""))

    var stdout: String { buffers.withLock { $0.out } }
    var stderr: String { buffers.withLock { $0.err } }
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    func console(terminal: Bool = false, environment: [String: String] = [:]) -> Console {
        Console(outputIsTerminal: terminal, environment: environment) { [self] text, stream in
            buffers.withLock {
                switch stream {
                case .standardOutput: $0.out += text
                case .standardError: $0.err += text
                }
            }
        }
    }
}

/// The result of running the plugin in-process.
struct CommandResult {
    var status: Int32
    var capture: Capture
    var stdout: String { capture.stdout }
    var stderr: String { capture.stderr }
    var lines: [String] { capture.stdoutLines }
}

/// Runs `kubectl-fledge <arguments>` in-process with captured output.
func runPlugin(_ arguments: [String], terminal: Bool = false, environment: [String: String] = [:]) async -> CommandResult {
    let capture = Capture()
    let status = await Console.$current.withValue(capture.console(terminal: terminal, environment: environment)) {
        await FledgeCommand.execute(arguments)
    }
    return CommandResult(status: status, capture: capture)
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "replay.jsonl") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-fledge-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A sample replay file in docs/examples.
func examplePath(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("docs/examples/\(name)").path
}

/// Builders for replay lines.
enum Replay {
    static let le = "[0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.5,0.75,1,2.5,5,7.5,10,\"+Inf\"]"

    /// A track `T`; with `slow`, a histogram where `slow` requests took longer than 50 ms, of which
    /// `verySlow` longer than 250 ms (all at most 500 ms), and the rest at most 50 ms.
    static func track(_ requests: Int, _ errors: Int, slow: Int? = nil, verySlow: Int = 0) -> String {
        guard let slow else { return "{\"requests\":\(requests),\"errors\":\(errors)}" }
        let fast = requests - slow
        let upTo250ms = requests - verySlow
        // counts for le = 5ms,10ms,25ms,50ms,75ms,100ms,250ms,500ms,750ms,1s,2.5s,5s,7.5s,10s,+Inf
        let counts = [0, 0, fast / 2, fast, fast, fast, upTo250ms, requests, requests, requests, requests, requests, requests, requests, requests]
        return "{\"requests\":\(requests),\"errors\":\(errors),\"latency\":{\"le\":\(le),\"counts\":[\(counts.map(String.init).joined(separator: ","))]}}"
    }

    static func baseline(_ k: Int, stable: String) -> String {
        "{\"interval\":\(k),\"phase\":\"baseline\",\"tracks\":{\"stable\":\(stable)}}"
    }

    static func canary(_ k: Int, stable: String, canary: String) -> String {
        "{\"interval\":\(k),\"phase\":\"canary\",\"tracks\":{\"stable\":\(stable),\"canary\":\(canary)}}"
    }

    /// `count` canary lines numbered from `first`, the same counts every interval.
    static func canaryLines(_ count: Int, first: Int = 1, stable: String, canary: String) -> [String] {
        (0..<count).map { Replay.canary(first + $0, stable: stable, canary: canary) }
    }
}

/// Parses one JSON output line.
func jsonObject(_ line: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
    guard let object = value as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
    return object
}
