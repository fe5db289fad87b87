import Foundation

/// One statistical test of the plan: a metric, optionally a route, and for latency the threshold.
public struct TestSpec: Codable, Sendable, Hashable {
    public var name: String
    public var metric: CheckMetric
    public var route: String?
    /// Latency threshold (a bucket bound `le`, in seconds).
    public var threshold: Double?
    /// The quantiles of stable's baseline that snapped to this threshold.
    public var quantiles: [Double]?

    public init(name: String, metric: CheckMetric, route: String? = nil, threshold: Double? = nil, quantiles: [Double]? = nil) {
        self.name = name
        self.metric = metric
        self.route = route
        self.threshold = threshold
        self.quantiles = quantiles
    }

    /// This test's requests and events in one track's counts; nil when the counts cannot answer
    /// (no histogram, or one without this test's bucket bound).
    func requestsAndEvents(in counts: TrackCounts) -> (requests: Int, events: Int)? {
        switch metric {
        case .latency:
            guard let threshold, let below = counts.latency?.count(atMost: threshold) else {
                return counts.requests == 0 ? (0, 0) : nil
            }
            return (counts.requests, max(0, counts.requests - below))
        default:
            return (counts.requests, counts.errors)
        }
    }
}

/// The set of tests, fixed before the canary starts so that α can be split across them
/// before any canary data is seen.
public struct AnalysisPlan: Codable, Sendable, Equatable {
    /// The statistical tests; `K = tests.count`.
    public var tests: [TestSpec]
    /// Tests that were asked for but cannot run, with the reason (shown as `noData` checks).
    public var notRun: [Check]
    /// Each test's evidence bound, `K/α`.
    public var bound: Double

    public init(tests: [TestSpec], notRun: [Check], bound: Double) {
        self.tests = tests
        self.notRun = notRun
        self.bound = bound
    }

    /// Builds the plan from stable's baseline traffic.
    ///
    /// - The aggregate error-rate test always runs.
    /// - Latency: for each quantile `q`, the bucket bound whose share of stable's baseline requests
    ///   above it is nearest (as a ratio) to `1 − q` (see ``LatencyHistogram/threshold(forQuantile:total:)``);
    ///   quantiles that snap to the same bound are one test. With no baseline histogram, latency is not run.
    /// - Per route (when asked): the busiest `maxRoutes` routes of the baseline, each with its own
    ///   error-rate and latency tests.
    public init(configuration: AnalysisConfiguration, baseline: Baseline) {
        var tests: [TestSpec] = []
        var notRun: [Check] = []
        func add(route: String?, counts: TrackCounts) {
            let prefix = route.map { "\($0) " } ?? ""
            tests.append(TestSpec(name: "\(prefix)error rate", metric: .errorRate, route: route))
            guard !configuration.latencyQuantiles.isEmpty else { return }
            guard let histogram = counts.latency, counts.requests > 0 else {
                notRun.append(Check(
                    name: "\(prefix)latency", metric: .latency, route: route, verdict: .noData,
                    reason: "not run: no stable latency histogram before the canary started, so no threshold could be fixed"))
                return
            }
            var byBound: [(bound: Double, quantiles: [Double])] = []
            for q in configuration.latencyQuantiles.sorted() {
                guard let bound = histogram.threshold(forQuantile: q, total: counts.requests) else {
                    notRun.append(Check(
                        name: "\(prefix)latency \(formatQuantile(q))", metric: .latency, route: route, verdict: .noData,
                        reason: "not run: no bucket bound of stable's baseline histogram has requests above it"))
                    continue
                }
                if let i = byBound.firstIndex(where: { $0.bound == bound }) {
                    byBound[i].quantiles.append(q)
                } else {
                    byBound.append((bound, [q]))
                }
            }
            for (bound, quantiles) in byBound {
                let qs = quantiles.map(formatQuantile).joined(separator: "/")
                tests.append(TestSpec(
                    name: "\(prefix)latency \(qs) > \(formatSeconds(bound))", metric: .latency, route: route,
                    threshold: bound, quantiles: quantiles))
            }
        }
        add(route: nil, counts: baseline.stable)
        if configuration.perRoute {
            let busiest = baseline.routes
                .filter { $0.value.requests > 0 }
                .sorted { ($0.value.requests, $1.key) > ($1.value.requests, $0.key) }
                .prefix(configuration.maxRoutes)
            if busiest.isEmpty {
                notRun.append(Check(
                    name: "per-route tests", metric: .errorRate, verdict: .noData,
                    reason: "not run: no per-route stable traffic before the canary started"))
            }
            for (route, counts) in busiest { add(route: route, counts: counts) }
        }
        self.tests = tests
        self.notRun = notRun
        self.bound = Double(tests.count) / configuration.alpha
    }
}
