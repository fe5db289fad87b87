import CanaryAnalysis
import Testing

let otelBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, .infinity]

/// A histogram of `total` requests where `fractions[i]` of them fall at most at `otelBounds[i]`.
func histogram(total: Int, cumulativeFractions: [Double]) -> LatencyHistogram {
    LatencyHistogram(bounds: otelBounds, counts: cumulativeFractions.map { Int(($0 * Double(total)).rounded()) })
}

/// 10,000 requests: 98.9% ≤ 100 ms, 99.85% ≤ 250 ms, all ≤ 500 ms.
let stableLatency = histogram(total: 10_000, cumulativeFractions:
    [0.1, 0.3, 0.6, 0.8, 0.95, 0.989, 0.9985, 1, 1, 1, 1, 1, 1, 1, 1])

@Suite struct AnalysisPlanTests {
    @Test func thresholdsSnapUpToBucketBounds() {
        let baseline = Baseline(stable: TrackCounts(requests: 10_000, errors: 10, latency: stableLatency))
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: baseline)
        #expect(plan.tests.map(\.name) == ["error rate", "latency p99 > 250ms", "latency p999 > 500ms"])
        #expect(plan.tests.map(\.threshold) == [nil, 0.25, 0.5])
        #expect(plan.bound == 3 / 0.05)
        #expect(plan.notRun.isEmpty)
    }

    @Test func quantilesOnTheSameBoundAreOneTest() {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = [0.5, 0.9, 0.99, 0.999]
        // p90 and p99 are both in the 250 ms bucket here.
        let h = histogram(total: 10_000, cumulativeFractions: [0.1, 0.3, 0.6, 0.8, 0.85, 0.88, 0.995, 1, 1, 1, 1, 1, 1, 1, 1])
        let plan = AnalysisPlan(configuration: config, baseline: Baseline(stable: TrackCounts(requests: 10_000, errors: 0, latency: h)))
        let latency = plan.tests.filter { $0.metric == .latency }
        #expect(latency.map(\.threshold) == [0.025, 0.25, 0.5])
        #expect(latency[1].quantiles == [0.9, 0.99])
        #expect(latency[1].name == "latency p90/p99 > 250ms")
        #expect(plan.bound == 4 / 0.05)
    }

    @Test func noBaselineHistogramMeansLatencyIsNotRun() {
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: Baseline())
        #expect(plan.tests.map(\.metric) == [.errorRate])
        #expect(plan.notRun.count == 1)
        #expect(plan.notRun[0].verdict == .noData)
        #expect(plan.notRun[0].reason.contains("not run"))
    }

    @Test func quantileAboveTheLastFiniteBoundIsNotRun() {
        // 2% of requests only in +Inf: p99 cannot be bounded.
        let h = histogram(total: 1000, cumulativeFractions: [0, 0, 0, 0.5, 0.9, 0.95, 0.97, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 1])
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: Baseline(stable: TrackCounts(requests: 1000, errors: 0, latency: h)))
        #expect(plan.tests.map(\.metric) == [.errorRate])
        #expect(plan.notRun.map(\.name) == ["latency p99", "latency p999"])
    }

    @Test func perRouteTestsTakeTheBusiestRoutes() {
        var config = AnalysisConfiguration()
        config.perRoute = true
        config.maxRoutes = 2
        config.latencyQuantiles = []
        var baseline = Baseline()
        baseline.add(stable: TrackCounts(requests: 600, errors: 0), routes: [
            "/a": TrackCounts(requests: 100, errors: 0),
            "/b": TrackCounts(requests: 300, errors: 0),
            "/c": TrackCounts(requests: 200, errors: 0),
            "/idle": TrackCounts(requests: 0, errors: 0),
        ])
        let plan = AnalysisPlan(configuration: config, baseline: baseline)
        #expect(plan.tests.map(\.name) == ["error rate", "/b error rate", "/c error rate"])
        #expect(plan.tests.map(\.route) == [nil, "/b", "/c"])
    }

    @Test func histogramValidationNamesTheProblem() {
        #expect(throws: CountsError.invalid("latency: bounds are not ascending (0.1 then 0.05)")) {
            try LatencyHistogram(bounds: [0.1, 0.05], counts: [1, 2]).validate()
        }
        #expect(throws: CountsError.invalid("latency: counts fall from 5 to 4 at le=0.2")) {
            try LatencyHistogram(bounds: [0.1, 0.2], counts: [5, 4]).validate()
        }
        #expect(throws: CountsError.invalid("errors (3) exceed requests (2)")) {
            try TrackCounts(requests: 2, errors: 3).validate()
        }
        #expect(throws: (any Error).self) {
            try TrackCounts(requests: 10, errors: 0, latency: LatencyHistogram(bounds: [0.1, .infinity], counts: [5, 9])).validate()
        }
    }
}
