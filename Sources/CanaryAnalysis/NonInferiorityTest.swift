import Foundation

/// The promotion side of the analysis: an anytime-valid upper confidence bound on how many times worse the
/// canary's event rate is than stable's, and the test "is it below the margin?".
///
/// It is the rollback test of ``SequentialTest`` turned around. For an interval with `n_c` canary and `n_s` stable
/// requests and `E` events, `x_c` of them on the canary, a canary `r` times worse takes a share
/// `θ(r) = r·a / (r·a + 1)` of the events (`a = n_c/n_s`). To reject "the canary is at least `m` times worse"
/// the evidence is the likelihood ratio of an alternative `r' = ρ·m` (ρ < 1) against `m`:
///
///     x_c · log ρ + E · log((m·a + 1) / (ρ·m·a + 1))
///
/// summed over intervals and mixed over a few ρ with fixed weights. For every true ratio `r ≥ m` each term has
/// expectation at most 1 (the alternative puts less weight on the canary than any `r ≥ m` does), so the mixture
/// is a nonnegative supermartingale and, by Ville's inequality, reaches `1/β` with probability at most β however
/// often one looks. The set of `m` not rejected is a confidence sequence for `r`: promoting when the margin is
/// outside it is as safe at minute 3 as at minute 30.
///
/// The evidence grows with `m` for fixed data (both coefficients of the log likelihood ratio do), so rejecting
/// one `m` rejects every larger one; the bound reported is the smallest point of a fixed grid of multiples of the
/// margin that is rejected, which rounds the bound up (the safe side).
public struct NonInferiorityTest: Sendable, Hashable {
    /// The largest ratio accepted (canary rate ÷ stable rate), more than 1.
    public let margin: Double
    /// Alternatives as fractions of the null ratio, each below 1: at the margin they are the ratios 1.4, 1 and 0.5.
    public let alternatives: [Double]
    /// `log` of the mixture weights (1/4, 1/2, 1/4: a canary exactly as good as stable is the case that matters).
    public let logWeights: [Double]

    /// The null ratios tested, as multiples of the margin. The margin itself is `grid[marginIndex]`.
    public static let grid: [Double] = [0.5, 0.7, 0.85, 1, 1.25, 1.5, 2, 3, 5]
    /// The index of 1 in ``grid``.
    public static let marginIndex = 3

    public init(margin: Double) {
        precondition(margin > 1, "the margin must exceed 1")
        self.margin = margin
        self.alternatives = [1.4, 1, 0.5].map { min($0 / margin, 0.9) }
        self.logWeights = [0.25, 0.5, 0.25].map { log($0) }
    }

    /// Entries of the accumulated log likelihoods: one per (grid point, alternative).
    public var stateSize: Int { Self.grid.count * alternatives.count }

    /// `log((m·a + 1)/(ρ·m·a + 1))` for the null ratio `m` and alternative fraction `rho`.
    @inline(__always)
    static func eventTerm(nullRatio m: Double, rho: Double, a: Double) -> Double {
        log((m * a + 1) / (rho * m * a + 1))
    }

    /// Adds one interval to `logLikelihoods` (``stateSize`` entries, grid-major). Returns false, adding nothing,
    /// when the interval carries no evidence (no requests on a track, or no events).
    @discardableResult
    public func accumulate(
        into logLikelihoods: inout [Double],
        canaryRequests nc: Int, canaryEvents xc: Int, stableRequests ns: Int, stableEvents xs: Int
    ) -> Bool {
        guard nc > 0, ns > 0, xc >= 0, xs >= 0, xc + xs > 0 else { return false }
        if logLikelihoods.count != stateSize { logLikelihoods = Array(repeating: 0, count: stateSize) }
        let a = Double(nc) / Double(ns), x = Double(xc), e = Double(xc + xs)
        var k = 0
        for g in Self.grid {
            let m = g * margin
            for rho in alternatives {
                logLikelihoods[k] += x * log(rho) + e * Self.eventTerm(nullRatio: m, rho: rho, a: a)
                k += 1
            }
        }
        return true
    }

    /// `log` of the mixture's evidence against "at least `grid[index] × margin` times worse".
    public func logEvidence(_ logLikelihoods: [Double], gridIndex index: Int = NonInferiorityTest.marginIndex) -> Double {
        guard logLikelihoods.count == stateSize else { return 0 }
        let n = alternatives.count
        return Self.logMixture(n) { logWeights[$0] + logLikelihoods[index * n + $0] }
    }

    /// `log(Σ exp(term(i)))` for `i < n`, without overflow and without allocating.
    @inline(__always)
    static func logMixture(_ n: Int, _ term: (Int) -> Double) -> Double {
        var top = -Double.infinity
        for i in 0..<n { top = max(top, term(i)) }
        if top == -.infinity { return top }
        var sum = 0.0
        for i in 0..<n { sum += exp(term(i) - top) }
        return top + log(sum)
    }

    /// The upper confidence bound on the ratio at level `exp(-logThreshold)`: the smallest grid ratio rejected,
    /// or nil when none is (the bound is above the grid's top, 5 × margin).
    public func upperBound(_ logLikelihoods: [Double], logThreshold: Double) -> Double? {
        for (j, g) in Self.grid.enumerated() where logEvidence(logLikelihoods, gridIndex: j) >= logThreshold {
            return g * margin
        }
        return nil
    }

    /// Whether "at least `margin` times worse" is rejected: the bound is below the margin.
    public func settled(_ logLikelihoods: [Double], logThreshold: Double) -> Bool {
        logEvidence(logLikelihoods) >= logThreshold
    }

    /// The expected log likelihood ratio of each alternative at the margin for one interval with `nc` canary and
    /// `ns` stable requests (expected counts), stable event rate `rate`, and a canary `ratio` times worse; and the
    /// variance of that interval's log likelihood ratio (events as independent Poisson counts).
    public func drift(canaryRequests nc: Double, stableRequests ns: Double, rate: Double, ratio: Double)
        -> [(mean: Double, variance: Double)] {
        guard nc > 0, ns > 0, rate > 0 else { return alternatives.map { _ in (0, 0) } }
        let a = nc / ns
        let lambdaCanary = nc * rate * ratio, lambdaStable = ns * rate
        return alternatives.map { rho in
            let l = Self.eventTerm(nullRatio: margin, rho: rho, a: a)
            let perCanary = log(rho) + l
            return (lambdaCanary * perCanary + lambdaStable * l,
                    lambdaCanary * perCanary * perCanary + lambdaStable * l * l)
        }
    }

    /// Intervals after which the evidence at the margin, now `logLikelihoods`, is expected to reach
    /// `logThreshold` if every further interval adds `drift` (per alternative); 0 when it already has,
    /// nil when it never would (within `limit` intervals).
    public func intervalsToSettle(_ logLikelihoods: [Double], drift: [Double], logThreshold: Double,
                                  limit: Int = 1_000_000) -> Int? {
        let n = alternatives.count
        let offset = Self.marginIndex * n
        let current = logLikelihoods.count == stateSize
        func reached(_ t: Int) -> Bool {
            Self.logMixture(n) { logWeights[$0] + (current ? logLikelihoods[offset + $0] : 0) + Double(t) * drift[$0] }
                >= logThreshold
        }
        if reached(0) { return 0 }
        guard drift.contains(where: { $0 > 0 }) else { return nil }
        var high = 1
        while !reached(high) {
            if high >= limit { return nil }
            high = min(high * 2, limit)
        }
        var low = high / 2
        while high - low > 1 {
            let mid = (low + high) / 2
            if reached(mid) { high = mid } else { low = mid }
        }
        return high
    }
}
