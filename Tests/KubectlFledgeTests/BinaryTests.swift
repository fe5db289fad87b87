import Foundation
import Testing

/// Runs the built `kubectl-fledge` executable as a subprocess.
@Suite("kubectl-fledge binary")
struct BinaryTests {
    /// The executable next to the test bundle (`.build/debug/kubectl-fledge`).
    static var binary: URL? {
        let bundle = Bundle.main.bundleURL
        let candidates = [
            bundle.appendingPathComponent("kubectl-fledge"),
            bundle.deletingLastPathComponent().appendingPathComponent("kubectl-fledge"),
            repositoryRoot.appendingPathComponent(".build/debug/kubectl-fledge"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Output {
        let binary = try #require(binary, "kubectl-fledge is not built next to the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a full pipe cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func exitsZeroWithAVerdictOnStandardOutput() throws {
        let result = try Self.run(["analyze", "--replay", examplePath("healthy.jsonl"), "-o", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 21)
        let last = try jsonObject(String(try #require(lines.last)))
        #expect(last["decision"] as? String == "promote")
        #expect(last["final"] as? Bool == true)
    }

    @Test func readsStandardInputForADash() throws {
        let text = try String(contentsOfFile: examplePath("bad-canary.jsonl"), encoding: .utf8)
        let result = try Self.run(["analyze", "--replay", "-", "-o", "json"], input: text)
        #expect(result.status == 0)
        let last = try jsonObject(String(try #require(result.stdout.split(separator: "\n").last)))
        #expect(last["decision"] as? String == "rollback")
    }

    @Test func rollsBackTheBadCanary() throws {
        let result = try Self.run(["analyze", "--replay", examplePath("bad-canary.jsonl")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("verdict: ROLLBACK"))
    }

    @Test func exitsOneOnBadInputWithTheLineOnStandardError() throws {
        let text = try String(contentsOfFile: examplePath("healthy.jsonl"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        lines[6] = lines[6].replacingOccurrences(of: "\"errors\":", with: "\"errors\":-")
        let file = try temporaryFile(lines.joined(separator: "\n"))
        let result = try Self.run(["analyze", "--replay", file])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("line 7: "))
        #expect(result.stderr.contains("is negative"))
    }

    @Test func exitsTwoOnAUsageError() throws {
        let result = try Self.run(["analyze", "--replay", examplePath("healthy.jsonl"), "--alpha", "0"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("alpha must be between 0 and 1"))
    }
}
