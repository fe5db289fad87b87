/// Everything that tunes the analysis. Defaults are the ones docs/analysis.md justifies
/// from the benchmark in docs/benchmarks/analysis.md.
public struct AnalysisConfiguration: Codable, Sendable, Equatable {
    /// Overall false-rollback budget for one rollout of one canary version, split equally
    /// (Bonferroni) across the statistical tests. 0.02 keeps measured false rollbacks at or below
    /// 0.6% in every healthy case of the benchmark (0.05 reaches 1.4%) and still catches +5 pp
    /// within 2 minutes (docs/benchmarks/analysis.md).
    public var alpha: Double = 0.02
    /// Latency quantiles tested by exceedance counts. Thresholds are fixed from stable's histogram.
    public var latencyQuantiles: [Double] = [0.99, 0.999]
    /// Also test each route (`http.route`) separately; the aggregate tests always run.
    public var perRoute: Bool = false
    /// At most this many routes, the busiest in stable's baseline traffic.
    public var maxRoutes: Int = 10
    /// The canary is "not worse" when its rate is at most this many times stable's.
    public var nullRatio: Double = 1
    /// Alternative ratios (relative to `nullRatio`) mixed into the evidence.
    public var ratios: [Double] = [1.5, 2, 3, 5, 10]
    /// The largest regression accepted: a step promotes when every promotion-gating test's upper confidence
    /// bound is below it.
    public var margin = PromotionMargin()
    /// False-promotion budget β: the chance that a canary worse than the margin on a test that gates promotion is
    /// promoted. Each gating test's bound has confidence 1 − β; no split is needed because promotion needs every
    /// gating test to pass (a regression on one test is promoted only if that one test passes). nil means β = α.
    public var beta: Double?
    /// The rollout's analysis windows; with ``Baseline/intervals`` they decide which tests can gate promotion and
    /// from which canary weight (``PromotionFeasibility``). nil: every test gates every step.
    public var schedule: RolloutSchedule?
    /// The absolute guardrail; nil disables it.
    public var guardrail: Guardrail? = Guardrail()
    /// User checks on query results.
    public var checks: [QueryCheck] = []

    public init() {}

    /// The sequential test these settings define.
    public var sequentialTest: SequentialTest { SequentialTest(nullRatio: nullRatio, ratios: ratios) }

    /// Problems with the settings, one message per problem naming the field; empty when valid.
    public func problems() -> [String] {
        var out: [String] = []
        if !(alpha > 0 && alpha < 1) { out.append("alpha must be between 0 and 1 (exclusive), got \(alpha)") }
        for q in latencyQuantiles where !(q > 0 && q < 1) {
            out.append("latencyQuantiles: \(q) is not between 0 and 1 (exclusive)")
        }
        if maxRoutes < 1 { out.append("maxRoutes must be at least 1, got \(maxRoutes)") }
        if !(nullRatio > 0) { out.append("nullRatio must be positive, got \(nullRatio)") }
        if ratios.isEmpty { out.append("ratios must not be empty") }
        for r in ratios where !(r > 1) { out.append("ratios: \(r) must be greater than 1") }
        out += margin.problems()
        if let beta, !(beta > 0 && beta < 1) { out.append("beta must be between 0 and 1 (exclusive), got \(beta)") }
        if let schedule { out += schedule.problems() }
        if let g = guardrail {
            if !(g.maxErrorRate > 0 && g.maxErrorRate <= 1) { out.append("guardrail.maxErrorRate must be in (0, 1], got \(g.maxErrorRate)") }
            if g.minRequests < 1 { out.append("guardrail.minRequests must be at least 1, got \(g.minRequests)") }
        }
        var names = Set<String>()
        for (i, c) in checks.enumerated() {
            out += c.problems().map { "checks[\(i)]: \($0)" }
            if !names.insert(c.name).inserted { out.append("checks[\(i)]: name \"\(c.name)\" is used twice") }
        }
        return out
    }
}

/// A fast absolute guard outside the α budget: roll back at once when the canary fails
/// at least `maxErrorRate` of at least `minRequests` requests (counted over the whole rollout of
/// this canary version) and fails more often than stable.
///
/// Defaults: 20% over at least 50 requests. A healthy canary at a 1% base error rate trips it with
/// probability below 1e-9 at its first look, and one at 5% with 0.3%; a canary failing half its
/// requests is stopped within its first 50 requests.
public struct Guardrail: Codable, Sendable, Equatable {
    public var maxErrorRate: Double = 0.2
    public var minRequests: Int = 50

    public init(maxErrorRate: Double = 0.2, minRequests: Int = 50) {
        self.maxErrorRate = maxErrorRate
        self.minRequests = minRequests
    }
}

/// A user check on a query result (for example a business metric): either bounds on the
/// canary's value, or a comparison of the canary's value against stable's with a tolerance.
public struct QueryCheck: Codable, Sendable, Equatable {
    /// Which direction is a regression when comparing canary against stable.
    public enum Direction: String, Codable, Sendable {
        /// Lower is worse (conversion rate, throughput).
        case lowerIsWorse
        /// Higher is worse (queue depth, cost).
        case higherIsWorse
    }

    /// The check's name, unique within one analysis.
    public var name: String
    /// The query. The Prometheus provider substitutes `{{track}}`, `{{version}}`, `{{service}}`
    /// and `{{namespace}}` with escaped label values.
    public var query: String
    /// The canary's value must be at least this.
    public var min: Double?
    /// The canary's value must be at most this.
    public var max: Double?
    /// Compare the canary against stable in this direction.
    public var compare: Direction?
    /// Relative tolerance of the comparison: with `lowerIsWorse` and 0.1, the canary fails below 90% of stable.
    public var tolerance: Double?
    /// Consecutive failing intervals before the check fails the rollout (default 1).
    public var failureLimit: Int?

    public init(
        name: String, query: String, min: Double? = nil, max: Double? = nil,
        compare: Direction? = nil, tolerance: Double? = nil, failureLimit: Int? = nil
    ) {
        self.name = name
        self.query = query
        self.min = min
        self.max = max
        self.compare = compare
        self.tolerance = tolerance
        self.failureLimit = failureLimit
    }

    /// Problems with the check's fields; empty when valid.
    public func problems() -> [String] {
        var out: [String] = []
        if name.isEmpty { out.append("name must not be empty") }
        if query.isEmpty { out.append("query must not be empty") }
        if min == nil, max == nil, compare == nil { out.append("needs min, max or compare") }
        if let min, let max, min > max { out.append("min (\(min)) exceeds max (\(max))") }
        if let t = tolerance, !(t >= 0) { out.append("tolerance must not be negative") }
        if tolerance != nil, compare == nil { out.append("tolerance needs compare") }
        if let f = failureLimit, f < 1 { out.append("failureLimit must be at least 1") }
        return out
    }
}
