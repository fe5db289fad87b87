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
    /// 1.1% of stable is slower than 100 ms (nearest to p99's 1%), 0.15% slower than 250 ms
    /// (nearest to p999's 0.1%); nothing is slower than 500 ms, so 500 ms is never chosen.
    @Test func thresholdsSnapToTheBoundWithTheNearestShareAbove() {
        let baseline = Baseline(stable: TrackCounts(requests: 10_000, errors: 10, latency: stableLatency))
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: baseline)
        #expect(plan.tests.map(\.name) == ["error rate", "latency p99 > 100ms", "latency p999 > 250ms"])
        #expect(plan.tests.map(\.threshold) == [nil, 0.1, 0.25])
        #expect(plan.bound == 3 / 0.02)
        #expect(plan.notRun.isEmpty)
    }

    @Test func quantilesOnTheSameBoundAreOneTest() {
        var config = AnalysisConfiguration()
        config.latencyQuantiles = [0.5, 0.9, 0.99, 0.999]
        // Shares above: 40% at 25 ms (p50), 12% at 100 ms (p90), 0.5% at 250 ms (nearest to both
        // p99's 1% and p999's 0.1%, as nothing is slower than 500 ms).
        let h = histogram(total: 10_000, cumulativeFractions: [0.1, 0.3, 0.6, 0.8, 0.85, 0.88, 0.995, 1, 1, 1, 1, 1, 1, 1, 1])
        let plan = AnalysisPlan(configuration: config, baseline: Baseline(stable: TrackCounts(requests: 10_000, errors: 0, latency: h)))
        let latency = plan.tests.filter { $0.metric == .latency }
        #expect(latency.map(\.threshold) == [0.025, 0.1, 0.25])
        #expect(latency[2].quantiles == [0.99, 0.999])
        #expect(latency[2].name == "latency p99/p999 > 250ms")
        #expect(plan.bound == 4 / 0.02)
    }

    @Test func noBaselineHistogramMeansLatencyIsNotRun() {
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: Baseline())
        #expect(plan.tests.map(\.metric) == [.errorRate])
        #expect(plan.notRun.count == 1)
        #expect(plan.notRun[0].verdict == .noData)
        #expect(plan.notRun[0].reason.contains("not run"))
    }

    @Test func aQuantileInTheInfBucketUsesTheLargestFiniteBound() {
        // 2% of requests only in +Inf: every bound from 500 ms to 10 s has 2% above it, the nearest
        // share to both p99 and p999; ties go to the smallest bound.
        let h = histogram(total: 1000, cumulativeFractions: [0, 0, 0, 0.5, 0.9, 0.95, 0.97, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 1])
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: Baseline(stable: TrackCounts(requests: 1000, errors: 0, latency: h)))
        #expect(plan.tests.map(\.threshold) == [nil, 0.5])
    }

    @Test func noBoundWithRequestsAboveItMeansLatencyIsNotRun() {
        // Every request at most 5 ms: no bound has events above it to compare.
        let h = histogram(total: 1000, cumulativeFractions: Array(repeating: 1, count: 15))
        let plan = AnalysisPlan(configuration: AnalysisConfiguration(), baseline: Baseline(stable: TrackCounts(requests: 1000, errors: 0, latency: h)))
        #expect(plan.tests.map(\.metric) == [.errorRate])
        #expect(plan.notRun.map(\.name) == ["latency p99", "latency p999"])
        #expect(plan.notRun.allSatisfy { $0.verdict == .noData && $0.reason.hasPrefix("not run") })
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

@Suite struct AnalysisFormatTests {
    @Test(arguments: [
        (3.0, "3"), (0.25, "0.25"), (12.8449, "12.84"), (9776.4, "9776"), (0.000123456, "0.0001235"),
        (1.779e15, "1.779e+15"), (8_011_342_912.4, "8.011e+09"), (999_999, "999999"), (4.4361e-7, "4.436e-07"), (-2.5, "-2.5"), (0, "0"), (26.421875, "26.42"),
    ])
    func numbers(value: Double, text: String) {
        #expect(AnalysisFormat.number(value) == text)
    }

    @Test func percentsSecondsAndQuantiles() {
        #expect(AnalysisFormat.percent(0.0126) == "1.26%")
        #expect(AnalysisFormat.percent(0.2) == "20.00%")
        #expect(AnalysisFormat.percent(nil) == "n/a")
        #expect(AnalysisFormat.seconds(0.25) == "250ms")
        #expect(AnalysisFormat.seconds(2.5) == "2.5s")
        #expect(AnalysisFormat.quantile(0.99) == "p99")
        #expect(AnalysisFormat.quantile(0.999) == "p999")
        #expect(AnalysisFormat.quantile(0.5) == "p50")
    }
}
