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
    /// The largest regression accepted, as a ratio (canary's event rate ÷ stable's); nil: the test cannot gate
    /// promotion (see `rollbackOnly`).
    public var margin: Double?
    /// Stable's event rate for this test in the baseline (nil: no baseline).
    public var baselineRate: Double?
    /// The test gates promotion only of steps at this canary share or above (nil: every step).
    public var gatesFromShare: Double?
    /// Set when the test gates rollback only: why ("needs ≈ 9 h at this traffic; gates rollback only").
    public var rollbackOnly: String?

    public init(name: String, metric: CheckMetric, route: String? = nil, threshold: Double? = nil, quantiles: [Double]? = nil,
                margin: Double? = nil, baselineRate: Double? = nil, gatesFromShare: Double? = nil, rollbackOnly: String? = nil) {
        self.name = name
        self.metric = metric
        self.route = route
        self.threshold = threshold
        self.quantiles = quantiles
        self.margin = margin
        self.baselineRate = baselineRate
        self.gatesFromShare = gatesFromShare
        self.rollbackOnly = rollbackOnly
    }

    /// The non-inferiority test of this test's margin, when it has one.
    public var nonInferiority: NonInferiorityTest? { margin.map(NonInferiorityTest.init(margin:)) }

    /// Whether the test gates the promotion of a step where the canary's share is `share` (nil: unknown, so yes).
    /// A quarter of slack below the scheduled share absorbs the noise of one interval's observed share.
    public func gatesPromotion(atShare share: Double?) -> Bool {
        guard rollbackOnly == nil, margin != nil else { return false }
        guard let from = gatesFromShare, let share else { return true }
        return share >= from * 0.75
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
    /// The evidence a promotion-gating test needs against "worse than the margin", `1/β` (nil in plans made
    /// before promotion became a non-inferiority decision).
    public var promotionBound: Double?

    public init(tests: [TestSpec], notRun: [Check], bound: Double, promotionBound: Double? = nil) {
        self.tests = tests
        self.notRun = notRun
        self.bound = bound
        self.promotionBound = promotionBound
    }

    /// The confidence of a promotion-gating test's bound, `1 − β`.
    public var promotionConfidence: Double? { promotionBound.map { 1 - 1 / $0 } }

    /// A plan stored before promotion became a non-inferiority decision (no `promotionBound`), given margins so
    /// that every test gates promotion at every step: its tests carry no margin, and a test without one gates
    /// rollback only, which would let such a rollout promote on nothing after an upgrade. The error-rate margin
    /// is `errorRatio` (the baseline's rate is not kept); the bound starts from no evidence. Other plans unchanged.
    public func upgradedForPromotion(_ configuration: AnalysisConfiguration) -> AnalysisPlan {
        guard promotionBound == nil else { return self }
        var plan = self
        for i in plan.tests.indices where plan.tests[i].margin == nil && plan.tests[i].rollbackOnly == nil {
            plan.tests[i].margin = configuration.margin.ratio(for: plan.tests[i].metric, baselineRate: nil)
        }
        plan.promotionBound = 1 / (configuration.beta ?? configuration.alpha)
        return plan
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
        self.notRun = notRun
        self.bound = Double(tests.count) / configuration.alpha
        let beta = configuration.beta ?? configuration.alpha
        // Margins and gates. β is not split: a step promotes only when *every* gating test passes, so a canary
        // worse than the margin on any one test is promoted only if that test passes, which has probability at most
        // β (the intersection–union principle). Splitting β over K tests would guarantee β/K at the cost of power.
        var specs: [TestSpec] = []
        var feasibility: [PromotionFeasibility?] = []
        for var spec in tests {
            let counts = spec.route.map { baseline.routes[$0] ?? .zero } ?? baseline.stable
            let base = spec.requestsAndEvents(in: counts).flatMap { $0.requests > 0 ? $0 : nil }
            spec.baselineRate = base.map { Double($0.events) / Double($0.requests) }
            spec.margin = configuration.margin.ratio(for: spec.metric, baselineRate: spec.baselineRate)
            if spec.margin == nil {
                spec.rollbackOnly = "stable had no errors in the baseline, so no bound relative to it can settle; gates rollback only"
            }
            if let schedule = configuration.schedule, let intervals = baseline.intervals, intervals > 0, let base {
                feasibility.append(PromotionFeasibility(
                    schedule: schedule, requestsPerInterval: Double(base.requests) / intervals,
                    baselineRate: spec.baselineRate ?? 0, logThreshold: 0, extensible: spec.route == nil))
            } else {
                feasibility.append(nil)
            }
            specs.append(spec)
        }
        for i in specs.indices {
            guard var f = feasibility[i], let test = specs[i].nonInferiority else { continue }
            f.logThreshold = log(1 / beta)
            switch f.gate(for: test) {
            case .always: specs[i].gatesFromShare = nil
            case .fromShare(let share): specs[i].gatesFromShare = share
            case .rollbackOnly(let why): specs[i].rollbackOnly = why
            }
        }
        self.tests = specs
        self.promotionBound = 1 / beta
    }
}
