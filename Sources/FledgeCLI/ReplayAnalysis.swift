import CanaryAnalysis

/// Replays a decoded file through the analyzer: baseline lines fix the plan, then each canary
/// line is one interval; stops at a rollback, else concludes after the last canary line (or the
/// `budget`-th).
public struct ReplayAnalysis: Sendable {
    public var configuration: AnalysisConfiguration
    /// Concludes after this many canary intervals instead of after the last one in the file.
    public var budget: Int?

    public init(configuration: AnalysisConfiguration, budget: Int? = nil) {
        self.configuration = configuration
        self.budget = budget
    }

    /// Runs the analysis, reporting as it goes. Throws a usage error when `budget` exceeds the
    /// canary intervals in the file.
    public func run(_ lines: [ReplayLine], reporter: any AnalysisReporter) throws(CLIError) -> AnalysisRun {
        var baseline = Baseline()
        for line in lines where line.phase == .baseline {
            baseline.add(stable: line.stable, routes: line.routes.mapValues(\.stable))
        }
        var canaryLines = lines.filter { $0.phase == .canary }
        if let budget {
            guard budget <= canaryLines.count else {
                throw .usage("--budget \(budget) exceeds the \(canaryLines.count) canary intervals in the file")
            }
            canaryLines = Array(canaryLines.prefix(budget))
        }
        let analyzer = CanaryAnalyzer(configuration: configuration)
        var state = analyzer.start(baseline: baseline)
        let hasBaseline = lines.contains { $0.phase == .baseline }
        reporter.started(plan: state.plan, note: hasBaseline ? nil : "no baseline lines: latency thresholds cannot be fixed, so latency tests are not run")
        var steps: [AnalysisRun.Step] = []
        for line in canaryLines {
            let decision = analyzer.observe(line.sample, state: &state)
            steps.append(.init(interval: line.interval, decision: decision))
            reporter.observed(interval: line.interval, decision: decision, note: nil)
            if decision.outcome == .rollback {
                reporter.finished(interval: line.interval, decision: decision, isFinal: false)
                return AnalysisRun(steps: steps, verdict: decision, isFinal: false, interval: line.interval)
            }
        }
        let last = canaryLines.last?.interval ?? 0
        let verdict = analyzer.conclude(state)
        reporter.finished(interval: last, decision: verdict, isFinal: true)
        return AnalysisRun(steps: steps, verdict: verdict, isFinal: true, interval: last)
    }
}
