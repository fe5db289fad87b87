import FledgeCLI
import Foundation
import Testing

@Suite("analyze command")
struct CommandTests {
    static let healthy = Replay.canaryLines(20, stable: Replay.track(18_000, 90), canary: Replay.track(2_000, 10))
    static let broken = Replay.canaryLines(20, stable: Replay.track(1_980, 10), canary: Replay.track(20, 1))

    @Test func jsonOutputHasOneObjectPerIntervalThenTheFinalVerdict() async throws {
        let lines = Replay.canaryLines(20, first: 11, stable: Replay.track(18_000, 90), canary: Replay.track(2_000, 10))
        let file = try temporaryFile(lines.joined(separator: "\n") + "\n")
        let result = await runPlugin(["analyze", "--replay", file, "-o", "json", "--quantiles", "none"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.lines.count == 21)
        for (i, line) in result.lines.dropLast().enumerated() {
            #expect(line.hasPrefix("{\"interval\":\(11 + i),\"decision\":\"continue\",\"checks\":["))
            let object = try jsonObject(line)
            #expect(Set(object.keys) == ["interval", "decision", "checks"])
            #expect(object["interval"] as? Int == 11 + i)
            #expect(object["decision"] as? String == "continue")
            let checks = try #require(object["checks"] as? [[String: Any]])
            #expect(checks.map { $0["name"] as? String } == ["error rate", "guardrail error rate < 20.00%"])
            #expect(checks.allSatisfy { $0["verdict"] is String && $0["reason"] is String })
        }
        let last = try jsonObject(try #require(result.lines.last))
        #expect(Set(last.keys) == ["interval", "final", "decision", "checks"])
        #expect(last["interval"] as? Int == 30)
        #expect(last["final"] as? Bool == true)
        #expect(last["decision"] as? String == "promote")
        #expect(result.lines.last?.hasPrefix("{\"interval\":30,\"final\":true,\"decision\":\"promote\",\"checks\":[") == true)
    }

    @Test func jsonOutputStopsAfterARollback() async throws {
        let file = try temporaryFile(Self.broken.joined(separator: "\n"))
        let result = await runPlugin(["analyze", "--replay", file, "-o", "json", "--quantiles", "none"])
        #expect(result.status == 0)
        // Evidence 2.5, 7.3, 23, 77 against the default bound 1/0.02 = 50.
        #expect(result.lines.count == 4)
        let outcomes = try result.lines.map { try jsonObject($0)["decision"] as? String }
        #expect(outcomes == ["continue", "continue", "continue", "rollback"])
        #expect(try result.lines.allSatisfy { try jsonObject($0)["final"] == nil })
    }

    @Test func humanOutputHasALinePerIntervalATableAndTheVerdict() async throws {
        let file = try temporaryFile(Self.broken.joined(separator: "\n"))
        let result = await runPlugin(["analyze", "--replay", file, "--quantiles", "none"])
        #expect(result.status == 0)
        let out = result.lines
        #expect(out.filter { $0.hasPrefix("interval ") }.count == 4)
        #expect(out.contains { $0.hasPrefix("interval  4  rollback") })
        #expect(out.contains { $0.contains("failed [1] error rate:") })
        #expect(out.contains { $0.hasPrefix("#  CHECK") && $0.contains("EVIDENCE/BOUND") && $0.contains("BOUND/MARGIN") })
        #expect(out.contains { $0.hasPrefix("1  error rate") && $0.hasSuffix("fail") })
        #expect(out.last == "verdict: ROLLBACK at interval 4: 1 check failed: [1] error rate fail")
        #expect(!result.stdout.contains("\u{1B}["))
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() async throws {
        let file = try temporaryFile(Self.healthy.joined(separator: "\n"))
        let coloured = await runPlugin(["analyze", "--replay", file], terminal: true)
        #expect(coloured.stdout.contains("\u{1B}["))
        let noColour = await runPlugin(["analyze", "--replay", file], terminal: true, environment: ["NO_COLOR": "1"])
        #expect(!noColour.stdout.contains("\u{1B}["))
        let json = await runPlugin(["analyze", "--replay", file, "-o", "json"], terminal: true)
        #expect(!json.stdout.contains("\u{1B}["))
    }

    @Test(arguments: [
        ("malformed", "{\"interval\":"),
        ("negative", Replay.canary(3, stable: Replay.track(10, -1), canary: Replay.track(1, 0))),
        ("unknown key", Replay.canary(3, stable: Replay.track(10, 1), canary: Replay.track(1, 0)).replacingOccurrences(of: "\"phase\"", with: "\"foo\":1,\"phase\"")),
    ])
    func badInputExitsOneNamingTheLine(_ name: String, _ bad: String) async throws {
        let file = try temporaryFile((Array(Self.healthy.prefix(2)) + [bad]).joined(separator: "\n"))
        let result = await runPlugin(["analyze", "--replay", file, "-o", "json"])
        #expect(result.status == 1, "\(name)")
        #expect(result.stdout.isEmpty, "nothing is printed before the whole file is read")
        #expect(result.stderr.hasPrefix("Error: \(file): line 3: "), "\(result.stderr)")
    }

    @Test func missingFileIsBadInput() async {
        let result = await runPlugin(["analyze", "--replay", "/nonexistent/replay.jsonl"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot read the file"))
    }

    @Test(arguments: [
        ["analyze"],
        ["analyze", "--replay", "x", "--prometheus", "http://p:9090"],
        ["analyze", "--replay", "x", "--alpha", "2"],
        ["analyze", "--replay", "x", "--quantiles", "0.99,1.5"],
        ["analyze", "--replay", "x", "--quantiles", "p99"],
        ["analyze", "--replay", "x", "--max-routes", "0"],
        ["analyze", "--replay", "x", "--no-guardrail", "--max-error-rate", "0.3"],
        ["analyze", "--replay", "x", "-o", "yaml"],
        ["analyze", "--replay", "x", "-o", "xml"],
        ["analyze", "--replay", "x", "--budget", "0"],
        ["analyze", "--replay", "x", "--service", "web"],
        ["analyze", "--prometheus", "http://p:9090", "--service", "web"],
        ["analyze", "--prometheus", "not a url", "--service", "web", "--stable-version", "1", "--canary-version", "2"],
        ["analyze", "--prometheus", "http://p:9090", "--service", "web", "--stable-version", "1", "--canary-version", "2", "--interval", "5"],
        ["analyze", "--prometheus", "http://p:9090", "--service", "web", "--stable-version", "1", "--canary-version", "2", "--duration", "30s"],
        ["analyze", "--prometheus", "http://p:9090", "--service", "web", "--stable-version", "1", "--canary-version", "2", "--budget", "3"],
        ["frobnicate"],
    ])
    func usageErrorsExitTwo(_ arguments: [String]) async {
        let result = await runPlugin(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Error:"))
    }

    @Test func configurationProblemsAreNamed() async {
        let result = await runPlugin(["analyze", "--replay", "x", "--alpha", "2", "--max-error-ratio", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("alpha must be between 0 and 1"))
        #expect(result.stderr.contains("margin.errorRatio must be more than 1"))
    }

    @Test func budgetBeyondTheFileExitsTwo() async throws {
        let file = try temporaryFile(Self.healthy.joined(separator: "\n"))
        let result = await runPlugin(["analyze", "--replay", file, "--budget", "21"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--budget 21 exceeds the 20 canary intervals"))
    }

    @Test func budgetEndsTheWindowEarly() async throws {
        let file = try temporaryFile(Self.healthy.joined(separator: "\n"))
        let result = await runPlugin(["analyze", "--replay", file, "--budget", "5", "-o", "json", "--quantiles", "none"])
        #expect(result.status == 0)
        #expect(result.lines.count == 6)
        let last = try jsonObject(try #require(result.lines.last))
        #expect(last["interval"] as? Int == 5)
        #expect(last["final"] as? Bool == true)
    }

    @Test func helpGoesToStandardOutputAndExitsZero() async {
        let result = await runPlugin(["analyze", "--help"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        for option in ["--replay", "--budget", "--output", "--alpha", "--quantiles", "--per-route", "--max-routes",
                       "--beta", "--max-error-ratio", "--max-error-increase", "--max-latency-ratio", "--max-error-rate",
                       "--guardrail-min-requests", "--no-guardrail", "--prometheus", "--service", "--namespace",
                       "--stable-version", "--canary-version", "--interval", "--duration", "--baseline", "--lag",
                       "--scrape-interval", "--bearer-token-file", "--ca-file"] {
            #expect(result.stdout.contains(option), "\(option)")
        }
    }
}
