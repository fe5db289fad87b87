import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Testing

/// One interval where the canary gets `share` of `total` requests with the given error rates.
func sample(total: Int = 20_000, share: Double = 0.05, stableErrors: Double = 0.01, canaryErrors: Double = 0.01) -> TrafficSample {
    let nc = Int(Double(total) * share), ns = total - nc
    return TrafficSample(
        stable: TrackCounts(requests: ns, errors: Int((Double(ns) * stableErrors).rounded())),
        canary: TrackCounts(requests: nc, errors: Int((Double(nc) * canaryErrors).rounded())))
}

@Suite struct CanaryAnalyzerTests {
    var config: AnalysisConfiguration = {
        var c = AnalysisConfiguration()
        c.latencyQuantiles = []
        return c
    }()

    @Test func aMuchWorseCanaryIsRolledBackAndStaysRolledBack() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        let first = analyzer.observe(sample(canaryErrors: 0.05), state: &state)
        #expect(first.outcome == .rollback)
        let failed = first.failedChecks.map(\.name)
        #expect(failed == ["error rate"])
        #expect(first.summary.contains("error rate"))
        // A later healthy interval never undoes a failure.
        let later = analyzer.observe(sample(), state: &state)
        #expect(later.outcome == .rollback)
        #expect(analyzer.conclude(state).outcome == .rollback)
    }

    @Test func aHealthyCanaryWithEnoughDataIsPromotedAtTheWindowsEnd() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        // 1000 canary requests/interval at 1%: 50 canary errors against 950 on stable bound the ratio well below 2×.
        var last: Decision?
        for _ in 0..<5 { last = analyzer.observe(sample(), state: &state) }
        #expect(last?.outcome == .continue)
        let final = analyzer.conclude(state)
        #expect(final.outcome == .promote, "\(final.summary)")
        let check = final.checks.first { $0.metric == .errorRate }
        #expect(check?.canary == TrackSummary(requests: 5000, events: 50, rate: 0.01))
        #expect(check?.stable?.requests == 95_000)
        #expect((check?.regressionBound ?? .infinity) < (check?.regressionMargin ?? 0))
        #expect(check?.bound == 50)  // K = 1 statistical test (the guardrail is outside α): 1 / 0.02
    }

    @Test func tooLittleDataIsInconclusiveNotAPass() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        _ = analyzer.observe(sample(total: 2000), state: &state)  // 100 canary requests: μ = 1
        let final = analyzer.conclude(state)
        #expect(final.outcome == .inconclusive)
        #expect(final.checks.first { $0.metric == .errorRate }?.verdict == .pending)
    }

    @Test func noDataNeverPromotesAndNeverRollsBack() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        for _ in 0..<10 {
            let d = analyzer.observeNoData(reason: "prometheus unreachable", state: &state)
            #expect(d.outcome == .continue)
            #expect(d.summary.contains("prometheus unreachable"))
        }
        // An interval with traffic on one track only also carries no evidence.
        _ = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1000, errors: 500), canary: .zero), state: &state)
        let final = analyzer.conclude(state)
        #expect(final.outcome == .inconclusive)
        #expect(final.checks.first { $0.metric == .errorRate }?.verdict == .noData)
        #expect(state.intervals == 11)
    }

    @Test func errorsOnlyOnTheCanaryOfAnErrorFreeServiceRollBack() {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        var outcome = Decision.Outcome.continue
        var intervals = 0
        while outcome == .continue && intervals < 20 {
            // 1000 canary requests, 3 errors each interval; stable none.
            outcome = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 19_000, errors: 0),
                                                     canary: TrackCounts(requests: 1000, errors: 3)), state: &state).outcome
            intervals += 1
        }
        #expect(outcome == .rollback)
        #expect(intervals <= 2)
    }

    @Test func latencyExceedancesOverTheBaselineThresholdRollBack() {
        var config = AnalysisConfiguration()
        config.guardrail = nil
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 10_000, errors: 0, latency: stableLatency)))
        #expect(state.plan.tests.count == 3)
        // Canary: 7% of requests above 100 ms and 5% above 250 ms (stable: 1.1% and 0.15%).
        let slow = histogram(total: 1000, cumulativeFractions: [0.1, 0.3, 0.6, 0.8, 0.9, 0.93, 0.95, 1, 1, 1, 1, 1, 1, 1, 1])
        let fine = histogram(total: 19_000, cumulativeFractions: [0.1, 0.3, 0.6, 0.8, 0.95, 0.989, 0.9985, 1, 1, 1, 1, 1, 1, 1, 1])
        let d = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 19_000, errors: 0, latency: fine),
                                               canary: TrackCounts(requests: 1000, errors: 0, latency: slow)), state: &state)
        #expect(d.outcome == .rollback)
        let failed = d.failedChecks
        #expect(failed.map(\.name) == ["latency p99 > 100ms", "latency p999 > 250ms"])
        #expect(failed.map(\.threshold) == [0.1, 0.25])
        #expect(failed.map { $0.canary?.events } == [70, 50])
        #expect(failed.map { $0.stable?.events } == [209, 28])
    }

    @Test func perRouteTestFindsTheOneBrokenRoute() {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = []
        config.perRoute = true
        let analyzer = CanaryAnalyzer(configuration: config)
        var baseline = Baseline()
        let routes = (0..<10).map { "/r\($0)" }
        baseline.add(stable: TrackCounts(requests: 10_000, errors: 10),
                     routes: Dictionary(uniqueKeysWithValues: routes.map { ($0, TrackCounts(requests: 1000, errors: 1)) }))
        var state = analyzer.start(baseline: baseline)
        #expect(state.plan.tests.count == 11)
        var decision: Decision?
        for _ in 0..<10 {
            var perRoute: [String: RouteCounts] = [:]
            for r in routes {
                let canaryErrors = r == "/r3" ? 8 : 1
                perRoute[r] = RouteCounts(stable: TrackCounts(requests: 1900, errors: 19), canary: TrackCounts(requests: 100, errors: canaryErrors))
            }
            let s = perRoute.values.reduce(TrackCounts.zero) { $0.adding($1.stable) }
            let c = perRoute.values.reduce(TrackCounts.zero) { $0.adding($1.canary) }
            decision = analyzer.observe(TrafficSample(stable: s, canary: c, routes: perRoute), state: &state)
            if decision?.outcome == .rollback { break }
        }
        #expect(decision?.outcome == .rollback)
        #expect(decision?.failedChecks.contains { $0.route == "/r3" } == true)
        #expect(decision?.failedChecks.allSatisfy { $0.route == "/r3" || $0.route == nil } == true)
    }

    @Test func guardrailTripsOnAnAbsoluteErrorRate() {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = []
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        let d = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1000, errors: 10),
                                               canary: TrackCounts(requests: 60, errors: 30)), state: &state)
        #expect(d.outcome == .rollback)
        #expect(d.failedChecks.map(\.metric).contains(.guardrail))
        #expect(d.checks.first { $0.metric == .guardrail }?.reason.contains("50.00% of 60 requests") == true)
        // Stable failing as often: not the canary's fault, the guardrail holds.
        var same = analyzer.start(baseline: Baseline())
        let d3 = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1000, errors: 500),
                                                canary: TrackCounts(requests: 60, errors: 30)), state: &same)
        #expect(d3.checks.first { $0.metric == .guardrail }?.verdict == .pass)
        // Below the minimum number of requests it waits.
        var state2 = analyzer.start(baseline: Baseline())
        let d2 = analyzer.observe(TrafficSample(stable: TrackCounts(requests: 1000, errors: 10),
                                                canary: TrackCounts(requests: 20, errors: 10)), state: &state2)
        #expect(d2.checks.first { $0.metric == .guardrail }?.verdict == .pending)
    }

    @Test func userChecksCompareWithToleranceAndBounds() {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = []
        config.guardrail = nil
        config.checks = [
            QueryCheck(name: "conversion", query: "q", compare: .lowerIsWorse, tolerance: 0.1, failureLimit: 2),
            QueryCheck(name: "queue", query: "q", max: 100),
        ]
        #expect(config.problems().isEmpty)
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        func observe(conversion: Double?, queue: Double?) -> Decision {
            var s = sample()
            s.queries = ["conversion": QueryValues(stable: 0.10, canary: conversion),
                         "queue": QueryValues(canary: queue, reason: queue == nil ? "empty result" : nil)]
            return analyzer.observe(s, state: &state)
        }
        var d = observe(conversion: 0.095, queue: 50)  // within 10%
        #expect(d.checks.first { $0.name == "conversion" }?.verdict == .pass)
        d = observe(conversion: 0.08, queue: 50)  // one failure of two allowed
        #expect(d.outcome == .continue)
        #expect(d.checks.first { $0.name == "conversion" }?.verdict == .pending)
        d = observe(conversion: 0.095, queue: nil)  // recovered; queue has no data
        #expect(d.checks.first { $0.name == "queue" }?.verdict == .noData)
        #expect(d.checks.first { $0.name == "queue" }?.reason.contains("empty result") == true)
        d = observe(conversion: 0.095, queue: 150)
        #expect(d.outcome == .rollback)
        #expect(d.failedChecks.map(\.name) == ["queue"])
    }

    @Test func invalidConfigurationIsReportedFieldByField() {
        var c = AnalysisConfiguration()
        c.alpha = 0
        c.latencyQuantiles = [1.5]
        c.checks = [QueryCheck(name: "x", query: ""), QueryCheck(name: "x", query: "up", min: 2, max: 1)]
        let problems = c.problems()
        #expect(problems.contains { $0.hasPrefix("alpha") })
        #expect(problems.contains { $0.hasPrefix("latencyQuantiles") })
        #expect(problems.contains("checks[0]: query must not be empty"))
        #expect(problems.contains("checks[0]: needs min, max or compare"))
        #expect(problems.contains("checks[1]: min (2.0) exceeds max (1.0)"))
        #expect(problems.contains("checks[1]: name \"x\" is used twice"))
    }

    /// The state survives a JSON round trip mid-rollout (a controller restart) and the analysis
    /// continues exactly as it would have.
    @Test func stateRoundTripsThroughJSON() throws {
        let analyzer = CanaryAnalyzer(configuration: AnalysisConfiguration())
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 10_000, errors: 5, latency: stableLatency)))
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<3 {
            _ = analyzer.observe(TrafficSample(stable: rng.trackCounts(requests: 19_000, errorRate: 0.01),
                                               canary: rng.trackCounts(requests: 1000, errorRate: 0.015)), state: &state)
        }
        let restored = try JSONDecoder().decode(AnalysisState.self, from: JSONEncoder().encode(state))
        #expect(restored == state)
        var a = state, b = restored
        let next = TrafficSample(stable: TrackCounts(requests: 19_000, errors: 190), canary: TrackCounts(requests: 1000, errors: 30))
        #expect(analyzer.observe(next, state: &a) == analyzer.observe(next, state: &b))
    }

    @Test func decisionEncodesTheDocumentedShape() throws {
        let analyzer = CanaryAnalyzer(configuration: config)
        var state = analyzer.start(baseline: Baseline())
        let d = analyzer.observe(sample(canaryErrors: 0.05), state: &state)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(d)) as? [String: Any]
        #expect(json?["decision"] as? String == "rollback")
        let check = (json?["checks"] as? [[String: Any]])?.first
        for key in ["name", "metric", "canary", "stable", "evidence", "bound", "exposure", "regressionMargin", "confidence",
                    "gatesPromotion", "verdict", "reason"] {
            #expect(check?[key] != nil, "missing \(key)")
        }
        #expect((check?["canary"] as? [String: Any])?.keys.sorted() == ["events", "rate", "requests"])
    }
}
