import CanaryAnalysis
import FledgeCLI
import Testing

/// Collects what an analysis reports.
final class RecordingReporter: AnalysisReporter, @unchecked Sendable {
    var plan: AnalysisPlan?
    var note: String?
    var observed: [(interval: Int, outcome: Decision.Outcome, note: String?)] = []
    var finished: (interval: Int, decision: Decision, isFinal: Bool)?

    func started(plan: AnalysisPlan, note: String?) {
        self.plan = plan
        self.note = note
    }

    func observed(interval: Int, decision: Decision, note: String?) {
        observed.append((interval, decision.outcome, note))
    }

    func finished(interval: Int, decision: Decision, isFinal: Bool) {
        finished = (interval, decision, isFinal)
    }
}

@Suite("Replay analysis")
struct ReplayAnalysisTests {
    /// Error-rate only, so the outcome does not depend on latency data.
    static var errorsOnly: AnalysisConfiguration {
        var c = AnalysisConfiguration()
        c.latencyQuantiles = []
        return c
    }

    static func run(_ lines: [String], configuration: AnalysisConfiguration = errorsOnly, budget: Int? = nil) throws -> (AnalysisRun, RecordingReporter) {
        let decoded = try ReplayDecoder().decode(lines.joined(separator: "\n"))
        let reporter = RecordingReporter()
        let run = try ReplayAnalysis(configuration: configuration, budget: budget).run(decoded, reporter: reporter)
        return (run, reporter)
    }

    @Test func largeCountsWithEqualRatesPromote() throws {
        // 0.5% errors on both tracks, 10% canary: 10 canary errors expected per interval.
        let lines = Replay.canaryLines(20, first: 101, stable: Replay.track(18_000, 90), canary: Replay.track(2_000, 10))
        let (run, reporter) = try Self.run(lines)
        #expect(run.isFinal)
        #expect(run.verdict.outcome == .promote)
        #expect(run.interval == 120)
        #expect(run.steps.count == 20)
        #expect(run.steps.map(\.interval) == Array(101...120))
        #expect(run.steps.allSatisfy { $0.decision.outcome == .continue })
        #expect(reporter.finished?.isFinal == true)
    }

    @Test func tenTimesTheErrorsRollsBackEarlyAndStops() throws {
        // stable 0.5%, canary 5% (1% of traffic): ten times worse, below the 20% guardrail.
        // Evidence with one test (default α = 0.02, bound 1/0.02 = 50): 2.5, 7.3, 23, then 77 at interval 4.
        let lines = Replay.canaryLines(20, stable: Replay.track(1_980, 10), canary: Replay.track(20, 1))
        let (run, reporter) = try Self.run(lines)
        #expect(run.verdict.outcome == .rollback)
        #expect(!run.isFinal)
        #expect(run.interval == 4)
        #expect(run.steps.map(\.decision.outcome) == [.continue, .continue, .continue, .rollback])
        #expect(reporter.observed.count == 4)
        #expect(run.verdict.failedChecks.map(\.name) == ["error rate"])
    }

    @Test func latencyIsNotRunWithoutBaselineLines() throws {
        let lines = Replay.canaryLines(20, stable: Replay.track(18_000, 90, slow: 180), canary: Replay.track(2_000, 10, slow: 20))
        let (run, reporter) = try Self.run(lines, configuration: AnalysisConfiguration())
        #expect(reporter.plan?.tests.map(\.name) == ["error rate"])
        #expect(reporter.note?.contains("no baseline lines") == true)
        let latency = try #require(run.verdict.checks.first { $0.metric == .latency })
        #expect(latency.verdict == .noData)
        #expect(latency.reason.hasPrefix("not run"))
        // A test that did not run never lets the canary pass.
        #expect(run.verdict.outcome == .inconclusive)
    }

    @Test func baselineLinesFixTheLatencyThresholds() throws {
        // Exactly 1% of stable's requests above 50 ms and 0.1% above 250 ms.
        let baseline = (-4...0).map { Replay.baseline($0, stable: Replay.track(20_000, 100, slow: 200, verySlow: 20)) }
        let lines = baseline + Replay.canaryLines(20, stable: Replay.track(18_000, 90, slow: 180), canary: Replay.track(2_000, 10, slow: 20))
        let (run, reporter) = try Self.run(lines, configuration: AnalysisConfiguration())
        #expect(reporter.plan?.tests.map(\.name) == ["error rate", "latency p99 > 50ms", "latency p999 > 250ms"])
        #expect(run.verdict.checks.allSatisfy { $0.verdict != .noData })
    }

    @Test func perRouteTestsTheBaselinesBusiestRoutes() throws {
        let text = try String(contentsOfFile: examplePath("healthy.jsonl"), encoding: .utf8)
        var configuration = AnalysisConfiguration()
        configuration.perRoute = true
        configuration.latencyQuantiles = []
        let reporter = RecordingReporter()
        _ = try ReplayAnalysis(configuration: configuration).run(try ReplayDecoder().decode(text), reporter: reporter)
        #expect(reporter.plan?.tests.map(\.name) == ["error rate", "/api/orders error rate", "/api/cart error rate"])
        configuration.maxRoutes = 1
        _ = try ReplayAnalysis(configuration: configuration).run(try ReplayDecoder().decode(text), reporter: reporter)
        #expect(reporter.plan?.tests.map(\.name) == ["error rate", "/api/orders error rate"])
    }

    @Test func budgetConcludesAfterTheFirstNCanaryIntervals() throws {
        let lines = Replay.canaryLines(20, stable: Replay.track(18_000, 90), canary: Replay.track(2_000, 10))
        let (run, _) = try Self.run(lines, budget: 1)
        #expect(run.steps.count == 1)
        #expect(run.interval == 1)
        #expect(run.isFinal)
        #expect(run.verdict.outcome == .inconclusive)
    }

    @Test func budgetBeyondTheFileIsAUsageError() throws {
        let lines = Replay.canaryLines(3, stable: Replay.track(18_000, 90), canary: Replay.track(2_000, 10))
        #expect(throws: CLIError.usage("--budget 4 exceeds the 3 canary intervals in the file")) {
            try Self.run(lines, budget: 4)
        }
    }

    @Test func examplesGiveTheirDocumentedVerdicts() throws {
        for (file, outcome) in [("healthy.jsonl", Decision.Outcome.promote), ("bad-canary.jsonl", .rollback)] {
            let text = try String(contentsOfFile: examplePath(file), encoding: .utf8)
            let lines = try ReplayDecoder().decode(text)
            #expect(lines.filter { $0.phase == .baseline }.count == 5)
            #expect(lines.filter { $0.phase == .canary }.count == 20)
            let run = try ReplayAnalysis(configuration: AnalysisConfiguration()).run(lines, reporter: RecordingReporter())
            #expect(run.verdict.outcome == outcome, "\(file)")
        }
    }
}
