import Foundation

/// The count-based sequential test of shared/ANALYSIS.md: is the canary's event rate
/// (errors, or requests slower than a threshold) more than `nullRatio` times stable's?
///
/// For an interval with `n_c` canary requests, `n_s` stable requests and `E` events of which
/// `x_c` on the canary, the canary's share of events under a ratio `r` is
/// `θ(r) = r·n_c / (r·n_c + n_s)`, and the interval's log likelihood ratio against the null is
/// `x_c·log(θ(r)/θ(r0)) + (E − x_c)·log((1−θ(r))/(1−θ(r0)))`. Log ratios add up across
/// intervals; the evidence `M` is their exponentials averaged over a grid of `r`. Under the null
/// `M` is a nonnegative supermartingale, so `P(ever M ≥ 1/a) ≤ a` (Ville's inequality) however often
/// one looks, provided the canary's share is constant within an interval.
public struct SequentialTest: Sendable, Hashable {
    /// The ratio under the null ("not worse"), usually 1.
    public let nullRatio: Double
    /// The alternative ratios mixed with equal weight.
    public let ratios: [Double]

    public init(nullRatio: Double = 1, ratios: [Double] = [1.5, 2, 3, 5, 10]) {
        precondition(nullRatio > 0, "nullRatio must be positive")
        precondition(!ratios.isEmpty, "at least one alternative ratio")
        self.nullRatio = nullRatio
        self.ratios = ratios.map { $0 * nullRatio }
    }

    /// The canary's share of events when its rate is `ratio` times stable's.
    @inline(__always)
    static func theta(_ ratio: Double, canaryRequests: Double, stableRequests: Double) -> Double {
        let c = ratio * canaryRequests
        return c / (c + stableRequests)
    }

    /// Adds one interval's evidence to `logLikelihoods` (one entry per alternative ratio).
    /// Returns false, adding nothing, when the interval carries no evidence
    /// (no canary or stable requests, or no events on either track).
    @discardableResult
    public func accumulate(
        into logLikelihoods: inout [Double],
        canaryRequests nc: Int, canaryEvents xc: Int, stableRequests ns: Int, stableEvents xs: Int
    ) -> Bool {
        guard nc > 0, ns > 0, xc + xs > 0, xc >= 0, xs >= 0 else { return false }
        if logLikelihoods.count != ratios.count { logLikelihoods = Array(repeating: 0, count: ratios.count) }
        let c = Double(nc), s = Double(ns)
        let t0 = Self.theta(nullRatio, canaryRequests: c, stableRequests: s)
        let canaryEvents = Double(xc), stableEvents = Double(xs)
        for (i, r) in ratios.enumerated() {
            let t = Self.theta(r, canaryRequests: c, stableRequests: s)
            logLikelihoods[i] += canaryEvents * log(t / t0) + stableEvents * log((1 - t) / (1 - t0))
        }
        return true
    }

    /// `log M`: the log of the mixture's evidence for the given accumulated log likelihood ratios.
    public func logEvidence(_ logLikelihoods: [Double]) -> Double {
        guard !logLikelihoods.isEmpty else { return 0 }
        return logMeanExp(logLikelihoods)
    }
}

/// `log(mean(exp(values)))` without overflow.
@inline(__always)
func logMeanExp(_ values: [Double]) -> Double {
    var top = -Double.infinity
    for v in values where v > top { top = v }
    if top == -.infinity { return top }
    var sum = 0.0
    for v in values { sum += exp(v - top) }
    return top + log(sum / Double(values.count))
}
