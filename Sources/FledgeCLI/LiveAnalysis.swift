import CanaryAnalysis
import Foundation

/// The live analysis loop of `kubectl fledge analyze --prometheus`, independent of Prometheus.
///
/// At `t0 = now`, it fixes the plan from stable's traffic in the baseline window `(t0 − baselineWindow, t0]`
/// (asked for once `t0 + lag` has passed). Canary interval k is `(t0 + (k−1)·interval, t0 + k·interval]`:
/// the loop waits until its end plus `lag`, asks the provider for its sample and observes it (no data
/// is observed as such: it never fails and never passes a check). It stops at a rollback, or concludes
/// after `intervals` intervals.
public struct LiveAnalysis: Sendable {
    /// Stable's counts over a window, before the canary starts.
    public typealias BaselineSource = @Sendable (AnalysisTarget, Date, Date) async -> MetricReading<Baseline>

    public var provider: any MetricProvider
    public var baselineSource: BaselineSource
    public var target: AnalysisTarget
    public var configuration: AnalysisConfiguration
    /// The length of one interval.
    public var interval: Duration
    /// How many intervals the window has (the time budget).
    public var intervals: Int
    /// The length of the baseline window.
    public var baselineWindow: Duration
    /// How long after an interval's end its data is complete.
    public var lag: Duration
    public var clock: LiveClock

    public init(
        provider: any MetricProvider, baselineSource: BaselineSource? = nil, target: AnalysisTarget,
        configuration: AnalysisConfiguration, interval: Duration, intervals: Int,
        baselineWindow: Duration, lag: Duration, clock: LiveClock = .system
    ) {
        self.provider = provider
        self.baselineSource = baselineSource ?? Self.stableSide(of: provider)
        self.target = target
        self.configuration = configuration
        self.interval = interval
        self.intervals = intervals
        self.baselineWindow = baselineWindow
        self.lag = lag
        self.clock = clock
    }

    /// A baseline source that asks `provider` for one sample over the window and keeps its stable side.
    public static func stableSide(of provider: any MetricProvider) -> BaselineSource {
        { target, start, end in
            switch await provider.sample(for: target, from: start, to: end, queries: []) {
            case .value(let sample):
                var baseline = Baseline()
                baseline.add(sample)
                return .value(baseline)
            case .noData(let reason):
                return .noData(reason: reason)
            }
        }
    }

    /// Runs the loop, reporting as it goes. Throws only if waiting is cancelled.
    public func run(reporter: any AnalysisReporter) async throws -> AnalysisRun {
        let t0 = clock.now()
        let lagSeconds = lag.seconds
        try await clock.sleepUntil(t0.addingTimeInterval(lagSeconds))
        let baseline: Baseline
        var note: String?
        switch await baselineSource(target, t0.addingTimeInterval(-baselineWindow.seconds), t0) {
        case .value(let b):
            baseline = b
            if b.stable.requests == 0 { note = "the baseline window has no stable requests: latency thresholds and routes cannot be fixed" }
        case .noData(let reason):
            baseline = Baseline()
            note = "no baseline data (\(reason)): latency thresholds and routes cannot be fixed"
        }
        let analyzer = CanaryAnalyzer(configuration: configuration)
        var state = analyzer.start(baseline: baseline)
        reporter.started(plan: state.plan, note: note)
        var steps: [AnalysisRun.Step] = []
        for k in 1...max(intervals, 1) {
            let start = t0.addingTimeInterval(Double(k - 1) * interval.seconds)
            let end = t0.addingTimeInterval(Double(k) * interval.seconds)
            try await clock.sleepUntil(end.addingTimeInterval(lagSeconds))
            let decision: Decision
            var reason: String?
            switch await provider.sample(for: target, from: start, to: end, queries: configuration.checks) {
            case .value(let sample):
                decision = analyzer.observe(sample, state: &state)
            case .noData(let why):
                reason = why
                decision = analyzer.observeNoData(reason: why, state: &state)
            }
            steps.append(.init(interval: k, decision: decision))
            reporter.observed(interval: k, decision: decision, note: reason)
            if decision.outcome == .rollback {
                reporter.finished(interval: k, decision: decision, isFinal: false)
                return AnalysisRun(steps: steps, verdict: decision, isFinal: false, interval: k)
            }
        }
        let verdict = analyzer.conclude(state)
        let last = steps.last?.interval ?? 0
        reporter.finished(interval: last, decision: verdict, isFinal: true)
        return AnalysisRun(steps: steps, verdict: verdict, isFinal: true, interval: last)
    }
}
