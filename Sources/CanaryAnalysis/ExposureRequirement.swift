import Foundation
import Synchronization

/// How much canary exposure a test needs before "no evidence of harm" may count as a pass.
///
/// Exposure is `μ = canary requests × stable's event rate`: the canary events expected if the
/// canary were exactly as good as stable. The minimum is the smallest `μ` at which the test,
/// run with its bound, would have crossed with probability `power` had the canary been
/// `detectRatio` times worse. It is computed for a single look at the end (canary and stable
/// events as independent Poisson counts), which is conservative: a sequential test that may
/// cross at any earlier interval has at least that power.
public struct ExposureRequirement: Sendable, Hashable {
    /// The test's log bound, `log(K/α)`.
    public let logBound: Double
    /// The canary's share of the test's requests.
    public let canaryShare: Double
    /// The power wanted (e.g. 0.8).
    public let power: Double
    /// The regression to detect, as a ratio of the canary's rate to stable's (e.g. 2).
    public let detectRatio: Double
    /// The sequential test whose power is measured.
    public let test: SequentialTest

    /// Shares are rounded up to this step so that the cache stays small; rounding up is conservative
    /// because the requirement grows with the share.
    public static let shareStep = 0.005

    public init(logBound: Double, canaryShare: Double, power: Double, detectRatio: Double, test: SequentialTest) {
        self.logBound = logBound
        let clamped = min(max(canaryShare, Self.shareStep), 0.95)
        self.canaryShare = (clamped / Self.shareStep).rounded(.up) * Self.shareStep
        self.power = power
        self.detectRatio = detectRatio
        self.test = test
    }

    private static let cache = Mutex<[ExposureRequirement: Double]>([:])

    /// The minimum exposure in expected canary events (cached; a few milliseconds the first time).
    public var minimumExposure: Double {
        if let hit = Self.cache.withLock({ $0[self] }) { return hit }
        let value = computeMinimum()
        Self.cache.withLock { $0[self] = value }
        return value
    }

    /// Probability that the test crosses its bound when the expected canary events under stable's rate are `mu`.
    public func power(atExposure mu: Double) -> Double {
        let p = canaryShare
        let lambdaCanary = detectRatio * mu
        let lambdaStable = mu * (1 - p) / p
        // The interval's log likelihood for r, with E = xc + xs and n_c/n_s = p/(1-p):
        // xc·a_r + xs·b_r.
        let t0 = SequentialTest.theta(test.nullRatio, canaryRequests: p, stableRequests: 1 - p)
        let a = test.ratios.map { log(SequentialTest.theta($0, canaryRequests: p, stableRequests: 1 - p) / t0) }
        let b = test.ratios.map { log((1 - SequentialTest.theta($0, canaryRequests: p, stableRequests: 1 - p)) / (1 - t0)) }
        var terms = [Double](repeating: 0, count: a.count)
        func crosses(_ xc: Int, _ xs: Int) -> Bool {
            for i in a.indices { terms[i] = Double(xc) * a[i] + Double(xs) * b[i] }
            return logMeanExp(terms) >= logBound
        }
        // Upper tail of the canary's Poisson count, P(X ≥ k), for k up to a safe maximum.
        let maxCanary = Int(lambdaCanary + 12 * lambdaCanary.squareRoot() + 40)
        var tail = [Double](repeating: 0, count: maxCanary + 2)
        var pmf = [Double](repeating: 0, count: maxCanary + 1)
        for k in 0...maxCanary { pmf[k] = poissonPMF(k, lambdaCanary) }
        var acc = 0.0
        for k in stride(from: maxCanary, through: 0, by: -1) { acc += pmf[k]; tail[k] = min(acc, 1) }
        let sd = lambdaStable.squareRoot()
        let lowStable = max(0, Int(lambdaStable - 12 * sd - 5))
        let highStable = Int(lambdaStable + 12 * sd + 40)
        var result = 0.0
        var xc = 0
        for xs in lowStable...highStable {
            // The smallest canary count that crosses never falls as stable's count grows.
            while xc <= maxCanary && !crosses(xc, xs) { xc += 1 }
            if xc > maxCanary { break }
            result += poissonPMF(xs, lambdaStable) * tail[xc]
        }
        return min(result, 1)
    }

    private func computeMinimum() -> Double {
        var low = 0.0, high = 1.0
        while power(atExposure: high) < power {
            low = high
            high *= 2
            if high > 1e7 { return .infinity }
        }
        while high - low > max(0.01, high * 1e-3) {
            let mid = (low + high) / 2
            if power(atExposure: mid) >= power { high = mid } else { low = mid }
        }
        return high
    }
}

@inline(__always)
func poissonPMF(_ k: Int, _ lambda: Double) -> Double {
    if lambda <= 0 { return k == 0 ? 1 : 0 }
    return exp(Double(k) * log(lambda) - lambda - lgamma(Double(k) + 1))
}
