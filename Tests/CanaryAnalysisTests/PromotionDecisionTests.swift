import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Testing

/// The promote rule: a step promotes when every gating test's bound is below its margin, not when exposure would
/// have detected a doubling; inconclusive says how far and how long; the plan marks tests that cannot settle.
@Suite struct PromotionDecisionTests {
    var config: AnalysisConfiguration = {
        var c = AnalysisConfiguration()
        c.latencyQuantiles = []
        return c
    }()

    /// 0.1% errors at 20 requests/s and a 5% canary for 30 minutes: 1,800 canary requests, 1.8 expected errors.
    /// No test can detect a doubling there (the exposure rule said inconclusive), but with a margin of
    /// +0.5 pp (6× at 0.1%) the data shows the canary is good enough.
    @Test func aQuietHealthyCanaryIsPromotedOnItsBoundNotHeldForExposure() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 12_000, errors: 12)))
        #expect(abs((state.plan.tests[0].margin ?? 0) - 6) < 1e-9)
        for k in 0..<30 {
            let d = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1140, errors: k % 10 == 0 ? 2 : 1),
                                                   canary: TrackCounts(requests: 60, errors: k == 12 ? 1 : 0)), state: &state)
            #expect(d.outcome == .continue)  // never promote mid-window
        }
        let final = analyzer.conclude(state)
        #expect(final.outcome == .promote, "\(final.summary)")
        let check = final.checks[0]
        #expect(check.regressionBound.map { $0 < 6 } == true)
        #expect(abs((check.regressionMargin ?? 0) - 6) < 1e-9)
        #expect(abs((check.confidence ?? 0) - 0.98) < 1e-12)
        #expect(final.summary.hasPrefix("good enough: error rate ≤ stable +"))
        #expect(final.summary.contains("with 98% confidence, accepted up to stable +"))
        #expect(final.summary.contains("canary 0.06% errors of 1,800, stable 0.10% of 34,200"))
        #expect(final.remainingIntervals == nil)
    }

    /// Too little data: inconclusive, with the intervals that would settle it at the current traffic — exactly,
    /// when the canary keeps behaving as observed.
    @Test func inconclusiveEstimatesTheRemainingIntervals() throws {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 100_000, errors: 1000)))
        let healthy = TrafficSample(stable: TrackCounts(requests: 1900, errors: 19), canary: TrackCounts(requests: 100, errors: 1))
        _ = analyzer.observe(healthy, state: &state)
        let first = analyzer.conclude(state)
        #expect(first.outcome == .inconclusive)
        let remaining = try #require(first.remainingIntervals)
        #expect(first.checks[0].remainingIntervals == remaining)
        #expect(first.summary.contains("≈ \(remaining) more intervals at the current traffic"))
        for k in 1...remaining {
            _ = analyzer.observe(healthy, state: &state)
            #expect(analyzer.conclude(state).outcome == (k == remaining ? .promote : .inconclusive), "after \(k) of \(remaining)")
        }
    }

    /// A canary observed worse than the margin is not on course: no estimate, and the summary says why.
    @Test func aCanaryAboveTheMarginIsNotOnCourse() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 100_000, errors: 1000)))
        _ = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1900, errors: 19), canary: TrackCounts(requests: 100, errors: 3)),
                             state: &state)
        let d = analyzer.conclude(state)
        #expect(d.outcome == .inconclusive)
        #expect(d.remainingIntervals == nil)
        #expect(d.summary.contains("not on course: the canary's rate is"))
    }

    @Test func remainingIntervalsIsEncodedOnlyWhenSet() throws {
        let without = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Decision(outcome: .inconclusive, checks: [], summary: "s"))) as? [String: Any]
        #expect(without?["remainingIntervals"] == nil)
        let with = try JSONSerialization.jsonObject(with: JSONEncoder().encode(
            Decision(outcome: .inconclusive, checks: [], summary: "s", remainingIntervals: 7))) as? [String: Any]
        #expect(with?["remainingIntervals"] as? Int == 7)
    }

    /// A plan stored before margins existed gates promotion on every test, from no evidence: an upgrade never
    /// promotes a rollout on nothing.
    @Test func aPlanFromBeforeMarginsGatesEveryTest() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 100_000, errors: 1000)))
        state.plan.promotionBound = nil
        for i in state.plan.tests.indices { state.plan.tests[i].margin = nil }
        let healthy = TrafficSample(stable: TrackCounts(requests: 1900, errors: 19), canary: TrackCounts(requests: 100, errors: 1))
        _ = analyzer.observe(healthy, state: &state)
        #expect(state.plan.tests[0].margin == 2)
        #expect(state.plan.promotionBound == 50)
        #expect(analyzer.conclude(state).outcome == .inconclusive)
    }

    /// A stored state from before the promotion fields decodes (the new fields start empty).
    @Test func anOlderTestStateDecodes() throws {
        let old = #"{"logLikelihoods":[1,2],"canary":{"requests":10,"events":1},"stable":{"requests":90,"events":2},"informativeIntervals":1}"#
        let state = try JSONDecoder().decode(TestState.self, from: Data(old.utf8))
        #expect(state.canary.requests == 10)
        #expect(state.promotionLogLikelihoods.isEmpty)
    }
}

/// Which tests can reach a promotion decision at the service's traffic, decided from the baseline and the schedule.
@Suite struct PromotionFeasibilityTests {
    /// A baseline of `minutes` one-minute intervals at `rate` requests/s with `errorRate` errors, and the latency of
    /// ``stableLatency`` (0.15% of requests slower than 250 ms, 1.1% slower than 100 ms).
    func baseline(rate: Double, errorRate: Double, minutes: Double = 10) -> Baseline {
        let requests = Int(rate * 60 * minutes)
        let scaled = LatencyHistogram(bounds: stableLatency.bounds,
                                      counts: stableLatency.counts.map { Int((Double($0) * Double(requests) / 10_000).rounded()) })
        return Baseline(stable: TrackCounts(requests: requests, errors: Int(Double(requests) * errorRate), latency: scaled),
                        intervals: minutes)
    }

    func plan(_ baseline: Baseline) -> AnalysisPlan {
        var config = AnalysisConfiguration()
        config.schedule = .defaultSteps
        return AnalysisPlan(configuration: config, baseline: baseline)
    }

    @Test func atHighTrafficEveryTestGatesFromTheFirstStep() {
        let p = plan(baseline(rate: 2000, errorRate: 0.01))
        #expect(p.tests.map(\.name) == ["error rate", "latency p99 > 100ms", "latency p999 > 250ms"])
        #expect(p.tests.allSatisfy { $0.rollbackOnly == nil && $0.gatesFromShare == 0.05 })
    }

    @Test func atLowTrafficTheTailGatesRollbackOnlyWithTheTimeItWouldNeed() throws {
        let p = plan(baseline(rate: 20, errorRate: 0.01))
        let p999 = try #require(p.tests.first { $0.name == "latency p999 > 250ms" })
        let why = try #require(p999.rollbackOnly)
        #expect(why.hasPrefix("needs ≈ "))
        #expect(why.hasSuffix("gates rollback only"))
        #expect(!p999.gatesPromotion(atShare: 0.5))
        // The error rate is settled by a later, larger step: it gates from there, rollback only before.
        let errors = try #require(p.tests.first { $0.metric == .errorRate })
        #expect(errors.rollbackOnly == nil)
        let from = try #require(errors.gatesFromShare)
        #expect(from > 0.05)
        #expect(!errors.gatesPromotion(atShare: 0.05))
        #expect(errors.gatesPromotion(atShare: from))
    }

    /// A test planned to gate from 25% must gate a step scheduled at 25% even if the latest interval saw the
    /// canary at a smaller share (its route capped to the pods that serve): the step never escapes the tests
    /// planned for its weight by getting less traffic.
    @Test func gatingFollowsTheScheduledShareWhenTheObservedOneIsSmaller() throws {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = []
        config.schedule = .defaultSteps
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: baseline(rate: 20, errorRate: 0.01))
        let from = try #require(state.plan.tests.first?.gatesFromShare)
        #expect(from > 0.05)
        // One interval at 5% of the traffic, with no evidence either way yet.
        _ = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1140, errors: 11), canary: TrackCounts(requests: 60, errors: 1)),
                             state: &state)
        let observedOnly = analyzer.conclude(state)
        #expect(observedOnly.checks[0].gatesPromotion == false, "at the observed 5% the error test does not gate")
        let scheduled = analyzer.conclude(state, scheduledShare: from)
        #expect(scheduled.checks[0].gatesPromotion == true)
        #expect(scheduled.outcome == .inconclusive, "\(scheduled.summary)")
    }

    @Test func anErrorFreeBaselineLeavesTheErrorRateToRollback() throws {
        let p = plan(baseline(rate: 200, errorRate: 0))
        let errors = try #require(p.tests.first { $0.metric == .errorRate })
        #expect(errors.margin == nil)
        #expect(errors.rollbackOnly?.contains("no errors in the baseline") == true)
        // Such a service is promotable: the error-rate check does not gate, and says so.
        var config = AnalysisConfiguration()
        config.latencyQuantiles = []
        config.schedule = .defaultSteps
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: baseline(rate: 200, errorRate: 0))
        for _ in 0..<10 {
            _ = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 11_400, errors: 0), canary: TrackCounts(requests: 600, errors: 0)),
                                 state: &state)
        }
        let d = analyzer.conclude(state)
        #expect(d.outcome == .promote, "\(d.summary)")
        #expect(d.checks[0].gatesPromotion == false)
        #expect(d.checks[0].reason.contains("gates rollback only"))
    }
}
