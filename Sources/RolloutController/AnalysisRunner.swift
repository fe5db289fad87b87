import CanaryAnalysis
import Foundation
import Logging
import RolloutAPI
import Tracing

/// Runs the analysis step the planner asked for: reads the metrics and feeds them to the analysis library.
/// Missing metrics are "no data", never a pass.
public struct AnalysisRunner: Sendable {
    public let source: any AnalysisMetricsSource
    let logger: Logger

    public init(source: any AnalysisMetricsSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    public func run(_ request: IntervalRequest, rollout: Rollout, effective e: EffectiveRollout) async -> IntervalResult {
        let analyzer = CanaryAnalyzer(configuration: e.analysis.configuration)
        let target = AnalysisTarget(service: e.analysis.service, namespace: rollout.metadata.namespace,
                                    stableVersion: rollout.status?.stableVersion, canaryVersion: e.version)
        let metrics: (any AnalysisMetrics)?
        var setupProblem: String?
        do {
            metrics = try source.metrics(for: e.analysis)
        } catch {
            metrics = nil
            setupProblem = "\(error)"
        }
        switch request {
        case .start(let from, let to):
            var note: String?
            var baseline = Baseline()
            if let metrics {
                switch await metrics.baseline(for: target, from: from, to: to) {
                case .value(let b):
                    baseline = b
                    // How many intervals the baseline covers: which tests can decide at this traffic follows from it.
                    baseline.intervals = (b.seconds ?? to.timeIntervalSince(from)) / e.analysis.interval.seconds
                    if b.stable.requests == 0 { note = "the baseline window has no stable requests" }
                case .noData(let reason):
                    note = "no baseline data (\(reason))"
                }
            } else {
                note = setupProblem
            }
            let state = analyzer.start(baseline: baseline)
            var decision = analyzer.decide(state, final: false)
            if let note {
                decision.summary = "\(note): latency thresholds and routes could not be fixed; " + decision.summary
                logger.warning("analysis started without a baseline", metadata: ["rollout": "\(rollout.metadata.name ?? "")", "reason": "\(note)"])
            }
            return IntervalResult(state: state, decision: decision, end: to, observedInterval: false, baselineMissing: note)

        case .observe(let start, let end, let final):
            var state = rollout.status?.canary?.analysis?.state ?? analyzer.start(baseline: Baseline())
            return await withSpan("canary.analysis") { span in
                let reading: MetricReading<TrafficSample>
                if let metrics {
                    reading = await metrics.sample(for: target, from: start, to: end, queries: e.analysis.configuration.checks)
                } else {
                    reading = .noData(reason: setupProblem ?? "no metrics")
                }
                let result = Self.judge(reading, state: state, analyzer: analyzer, end: end, final: final,
                                        scheduledShare: rollout.status?.canaryWeight.map { Double($0) / 100 })
                state = result.state
                let decision = result.decision
                span.attributes["canary.service"] = target.service
                span.attributes["canary.namespace"] = target.namespace ?? ""
                span.attributes["canary.version"] = target.canaryVersion ?? ""
                span.attributes["canary.stable_version"] = target.stableVersion ?? ""
                span.attributes["canary.decision"] = decision.outcome.rawValue
                span.attributes["canary.interval"] = state.intervals
                span.attributes["canary.final"] = final
                for check in decision.checks {
                    let key = "canary.check.\(check.name)"
                    span.attributes["\(key).verdict"] = check.verdict.rawValue
                    if let evidence = check.evidence { span.attributes["\(key).evidence"] = evidence }
                    if let rate = check.canary?.rate { span.attributes["\(key).canary_rate"] = rate }
                    if let rate = check.stable?.rate { span.attributes["\(key).stable_rate"] = rate }
                }
                return result
            }
        }
    }

    /// Judges one interval's reading (pure): adds it to the analysis state and decides. An interval where a track
    /// served nothing, or that could not be read, is no data for the step; the window is concluded only on an
    /// interval with data, so one without never promotes.
    public static func judge(_ reading: MetricReading<TrafficSample>, state: AnalysisState, analyzer: CanaryAnalyzer,
                             end: Date, final: Bool, scheduledShare: Double? = nil) -> IntervalResult {
        var state = state
        var decision: Decision
        var canaryRequests: Int?
        var missing: String?
        switch reading {
        case .value(let sample) where sample.canary.requests > 0 && sample.stable.requests > 0:
            decision = analyzer.observe(sample, state: &state)
            canaryRequests = sample.canary.requests
        case .value(let sample):
            // Counted, but a track served nothing: no evidence (a guardrail or query failure still counts).
            decision = analyzer.observe(sample, state: &state)
            missing = "no \(sample.canary.requests == 0 ? "canary" : "stable") requests in the interval"
        case .noData(let reason):
            decision = analyzer.observeNoData(reason: reason, state: &state)
            missing = reason
        }
        if final, canaryRequests != nil, decision.outcome == .continue { decision = analyzer.conclude(state, scheduledShare: scheduledShare) }
        var result = IntervalResult(state: state, decision: decision, end: end, observedInterval: true)
        result.canaryRequests = canaryRequests
        result.missingReason = missing
        return result
    }
}
