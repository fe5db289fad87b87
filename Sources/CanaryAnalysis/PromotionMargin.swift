/// The largest regression a user accepts: a canary is promoted once the analysis is confident it is no worse than
/// this. Fixed with the plan, before any canary data is seen.
///
/// - Error rate: at most `errorRatio` times stable's rate, or stable's rate plus `errorIncrease`, whichever is
///   larger. The test works on ratios, so the increase becomes a ratio with stable's baseline rate `p`:
///   `max(errorRatio, 1 + errorIncrease / p)`. Defaults 2× and +0.5 pp: 1% → 2%, 0.1% → 0.6%.
/// - Latency: at most `latencyRatio` times stable's share of requests slower than the test's threshold (the
///   bucket bound stable's p99 snapped to). Default 2×: with a lognormal tail a whole-distribution slow-down
///   of about 20% doubles the share above stable's p99.
///
/// docs/analysis.md justifies the defaults from docs/benchmarks/analysis.md.
public struct PromotionMargin: Codable, Sendable, Equatable {
    /// Error rate: canary ÷ stable at most this (more than 1).
    public var errorRatio: Double = 2
    /// Error rate: canary − stable at most this (a fraction: 0.005 is 0.5 percentage points), when larger.
    public var errorIncrease: Double = 0.005
    /// Latency: canary's share of requests over the threshold ÷ stable's at most this (more than 1).
    public var latencyRatio: Double = 2

    public init(errorRatio: Double = 2, errorIncrease: Double = 0.005, latencyRatio: Double = 2) {
        self.errorRatio = errorRatio
        self.errorIncrease = errorIncrease
        self.latencyRatio = latencyRatio
    }

    /// Ratios above this are treated as this (a stable rate near 0 would make `1 + increase/rate` unbounded).
    public static let largestRatio = 1000.0

    /// The margin of a test as a ratio, given stable's baseline event rate for it (nil: no baseline).
    /// Nil when no ratio can express it: an error-rate test whose stable baseline had no errors.
    public func ratio(for metric: CheckMetric, baselineRate: Double?) -> Double? {
        switch metric {
        case .latency:
            return latencyRatio
        default:
            guard let p = baselineRate else { return errorRatio }
            guard p > 0 else { return nil }
            return min(Self.largestRatio, max(errorRatio, 1 + errorIncrease / p))
        }
    }

    /// Problems with the fields, naming them; empty when valid.
    func problems() -> [String] {
        var out: [String] = []
        if !(errorRatio > 1 && errorRatio <= Self.largestRatio) {
            out.append("margin.errorRatio must be more than 1 and at most 1000, got \(errorRatio)")
        }
        if !(errorIncrease >= 0 && errorIncrease < 1) {
            out.append("margin.errorIncrease must be at least 0 and below 1 (a fraction: 0.005 is 0.5 pp), got \(errorIncrease)")
        }
        if !(latencyRatio > 1 && latencyRatio <= Self.largestRatio) {
            out.append("margin.latencyRatio must be more than 1 and at most 1000, got \(latencyRatio)")
        }
        return out
    }
}
