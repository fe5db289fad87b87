import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Testing

/// The promotion bound: an independent computation of its evidence, its coverage (exact for one look, simulated
/// for 30 looks with changing weights), and its power for a healthy canary.
@Suite struct NonInferiorityTestTests {
    /// Independent: the mixture of binomial likelihood ratios written from the definition (the canary's share of
    /// the events under ratio r is θ(r) = r·n_c / (r·n_c + n_s)), summed over intervals in probability space.
    func referenceEvidence(margin m: Double, intervals: [(nc: Int, xc: Int, ns: Int, xs: Int)]) -> Double {
        let ratios = [1.4, 1, 0.5].map { min($0, 0.9 * m) }
        let weights = [0.25, 0.5, 0.25]
        func theta(_ r: Double, _ nc: Int, _ ns: Int) -> Double { r * Double(nc) / (r * Double(nc) + Double(ns)) }
        var total = 0.0
        for (r, w) in zip(ratios, weights) {
            var product = 1.0
            for i in intervals where i.xc + i.xs > 0 {
                let t1 = theta(r, i.nc, i.ns), t0 = theta(m, i.nc, i.ns)
                product *= pow(t1 / t0, Double(i.xc)) * pow((1 - t1) / (1 - t0), Double(i.xs))
            }
            total += w * product
        }
        return total
    }

    @Test func evidenceMatchesTheDefinition() {
        let intervals = [(nc: 100, xc: 1, ns: 1900, xs: 20), (nc: 500, xc: 4, ns: 1500, xs: 16), (nc: 1000, xc: 0, ns: 1000, xs: 0),
                         (nc: 1000, xc: 9, ns: 1000, xs: 11)]
        for margin in [1.3, 2, 6] {
            let test = NonInferiorityTest(margin: margin)
            var ll: [Double] = []
            for i in intervals {
                test.accumulate(into: &ll, canaryRequests: i.nc, canaryEvents: i.xc, stableRequests: i.ns, stableEvents: i.xs)
            }
            let expected = referenceEvidence(margin: margin, intervals: intervals)
            #expect(abs(test.logEvidence(ll) - log(expected)) < 1e-9, "margin \(margin)")
        }
    }

    /// The bound is the smallest grid ratio rejected, and rejection is monotone in the ratio tested.
    @Test func boundIsTheSmallestRejectedGridRatioAndRejectionIsMonotone() {
        let test = NonInferiorityTest(margin: 2)
        var ll: [Double] = []
        test.accumulate(into: &ll, canaryRequests: 3000, canaryEvents: 28, stableRequests: 9000, stableEvents: 92)
        let threshold = log(50.0)
        let evidence = NonInferiorityTest.grid.indices.map { test.logEvidence(ll, gridIndex: $0) }
        #expect(evidence == evidence.sorted())
        let first = NonInferiorityTest.grid.indices.first { evidence[$0] >= threshold }
        #expect(test.upperBound(ll, logThreshold: threshold) == first.map { NonInferiorityTest.grid[$0] * 2 })
        #expect(test.settled(ll, logThreshold: threshold) == (evidence[NonInferiorityTest.marginIndex] >= threshold))
    }

    /// One look: P(settle) for a canary exactly at the margin, summed exactly over the binomial distribution of the
    /// canary's events given their total, is at most β.
    @Test(arguments: [(0.05, 40), (0.05, 400), (0.25, 120), (0.5, 60), (0.5, 600)])
    func exactOneLookCoverageAtTheMargin(share: Double, events: Int) {
        let margin = 2.0, beta = 0.02
        let nc = Int(share * 100_000), ns = 100_000 - nc
        let theta = margin * Double(nc) / (margin * Double(nc) + Double(ns))
        let test = NonInferiorityTest(margin: margin)
        var wrong = 0.0
        for xc in 0...events {
            var ll: [Double] = []
            test.accumulate(into: &ll, canaryRequests: nc, canaryEvents: xc, stableRequests: ns, stableEvents: events - xc)
            if test.settled(ll, logThreshold: log(1 / beta)) {
                let logChoose: Double = lgamma(Double(events + 1)) - lgamma(Double(xc + 1)) - lgamma(Double(events - xc + 1))
                let logP: Double = Double(xc) * log(theta) + Double(events - xc) * log(1 - theta)
                wrong += exp(logChoose + logP)
            }
        }
        #expect(wrong <= beta, "P(promote at the margin) = \(wrong)")
    }

    /// Thirty looks, weights 5% → 25% → 50%: a canary at the margin is ever promoted in at most β of runs, however
    /// often one looks; a healthy one settles in most runs.
    @Test func continuousLookingKeepsTheFalsePromotionRateBelowBeta() {
        let margin = 2.0, beta = 0.05, runs = 3000
        let test = NonInferiorityTest(margin: margin)
        var rng = SeededGenerator(seed: 21)
        func run(ratio: Double) -> Bool {
            var ll: [Double] = []
            for k in 0..<30 {
                let share = k < 10 ? 0.05 : k < 20 ? 0.25 : 0.5
                let nc = rng.poisson(2000 * share), ns = rng.poisson(2000 * (1 - share))
                let xc = rng.poisson(Double(nc) * 0.01 * ratio), xs = rng.poisson(Double(ns) * 0.01)
                test.accumulate(into: &ll, canaryRequests: nc, canaryEvents: xc, stableRequests: ns, stableEvents: xs)
                if test.settled(ll, logThreshold: log(1 / beta)) { return true }
            }
            return false
        }
        let atMargin = (0..<runs).filter { _ in run(ratio: margin) }.count
        let healthy = (0..<runs).filter { _ in run(ratio: 1) }.count
        #expect(Double(atMargin) / Double(runs) <= beta, "\(atMargin) of \(runs) at the margin settled")
        #expect(Double(healthy) / Double(runs) >= 0.9, "\(healthy) of \(runs) healthy settled")
    }

    /// The projection is exact when the future intervals are exactly the expected ones.
    @Test func intervalsToSettleIsExactForExpectedIntervals() {
        let test = NonInferiorityTest(margin: 2)
        var ll: [Double] = []
        test.accumulate(into: &ll, canaryRequests: 200, canaryEvents: 2, stableRequests: 3800, stableEvents: 38)
        let drift = test.drift(canaryRequests: 200, stableRequests: 3800, rate: 0.01, ratio: 1).map(\.mean)
        let threshold = log(50.0)
        let n = test.intervalsToSettle(ll, drift: drift, logThreshold: threshold)
        #expect(n != nil && n! > 1)
        var after = ll
        for k in 1...(n ?? 0) {
            test.accumulate(into: &after, canaryRequests: 200, canaryEvents: 2, stableRequests: 3800, stableEvents: 38)
            #expect(test.settled(after, logThreshold: threshold) == (k == n))
        }
        // A canary at the margin never settles on expected data.
        let atMargin = test.drift(canaryRequests: 1000, stableRequests: 19_000, rate: 0.01, ratio: 2).map(\.mean)
        #expect(test.intervalsToSettle(ll, drift: atMargin, logThreshold: threshold, limit: 10_000) == nil)
    }
}
