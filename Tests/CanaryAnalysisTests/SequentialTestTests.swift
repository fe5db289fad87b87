import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Testing

@Suite struct SequentialTestTests {
    let test = SequentialTest()

    @Test func logLikelihoodsMatchHandComputedValues() {
        // n_c = 100, n_s = 900, x_c = 5, x_s = 5: θ(1) = 0.1, θ(2) = 200/1100.
        var ll: [Double] = []
        let informative = test.accumulate(into: &ll, canaryRequests: 100, canaryEvents: 5, stableRequests: 900, stableEvents: 5)
        #expect(informative)
        let expected = [1.5394238988465014, 2.512634104756477, 3.669845875401002, 4.682467195958372, 5.09438660324628]
        for (got, want) in zip(ll, expected) { #expect(abs(got - want) < 1e-12) }
        #expect(abs(test.logEvidence(ll) - 4.181699556050553) < 1e-12)
    }

    @Test func evidenceAddsUpAcrossIntervals() {
        var once: [Double] = [], twice: [Double] = []
        test.accumulate(into: &once, canaryRequests: 200, canaryEvents: 10, stableRequests: 1800, stableEvents: 10)
        test.accumulate(into: &twice, canaryRequests: 100, canaryEvents: 5, stableRequests: 900, stableEvents: 5)
        test.accumulate(into: &twice, canaryRequests: 100, canaryEvents: 5, stableRequests: 900, stableEvents: 5)
        // Same share in both intervals: the sum of the two equals one interval of the totals.
        for (a, b) in zip(once, twice) { #expect(abs(a - b) < 1e-9) }
    }

    @Test(arguments: [
        (0, 0, 900, 5), (100, 1, 0, 0), (100, 0, 900, 0),
    ])
    func intervalsWithoutEvidenceAddNothing(nc: Int, xc: Int, ns: Int, xs: Int) {
        var ll: [Double] = []
        #expect(!test.accumulate(into: &ll, canaryRequests: nc, canaryEvents: xc, stableRequests: ns, stableEvents: xs))
        #expect(ll.isEmpty)
        #expect(test.logEvidence(ll) == 0)
    }

    @Test func aBetterCanaryBuildsNoEvidence() {
        var ll: [Double] = []
        for _ in 0..<50 {
            test.accumulate(into: &ll, canaryRequests: 100, canaryEvents: 0, stableRequests: 900, stableEvents: 20)
        }
        #expect(test.logEvidence(ll) < -10)
    }

    /// Under the null (equal rates), the chance of ever crossing 1/a over 30 looks stays below a.
    /// Shares change between intervals (5% → 25% → 50%) as a rollout's steps do.
    @Test func healthyStreamsCrossAtMostAtTheDesignedRate() {
        let runs = 3000
        let a = 0.05
        var crossed = 0
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<runs {
            var ll: [Double] = []
            for k in 0..<30 {
                let share = k < 10 ? 0.05 : (k < 20 ? 0.25 : 0.5)
                let c = rng.trackCounts(requests: 2000 * share, errorRate: 0.01)
                let s = rng.trackCounts(requests: 2000 * (1 - share), errorRate: 0.01)
                test.accumulate(into: &ll, canaryRequests: c.requests, canaryEvents: c.errors,
                                stableRequests: s.requests, stableEvents: s.errors)
                if test.logEvidence(ll) >= log(1 / a) { crossed += 1; break }
            }
        }
        let rate = Double(crossed) / Double(runs)
        // Ville: ≤ a. Allow three standard errors of Monte Carlo noise.
        #expect(rate <= a + 3 * (a * (1 - a) / Double(runs)).squareRoot(), "crossed in \(rate * 100)% of healthy runs")
    }

    /// The same looks at a doubled error rate cross most of the time: the test has power.
    @Test func doubledErrorRateIsCaught() {
        var crossed = 0
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            var ll: [Double] = []
            for _ in 0..<30 {
                let c = rng.trackCounts(requests: 600, errorRate: 0.02)
                let s = rng.trackCounts(requests: 11400, errorRate: 0.01)
                test.accumulate(into: &ll, canaryRequests: c.requests, canaryEvents: c.errors,
                                stableRequests: s.requests, stableEvents: s.errors)
                if test.logEvidence(ll) >= log(60) { crossed += 1; break }
            }
        }
        #expect(crossed > 450)
    }

    /// Re-running a fixed-sample one-sided 5% z-test at every look, on the same healthy streams,
    /// rejects far more often than 5%: the reason the library does not do that.
    @Test func repeatedFixedSampleTestsInflateFalseAlarms() {
        var rejected = 0
        var rng = SeededGenerator(seed: 42)
        let runs = 2000
        for _ in 0..<runs {
            var c = TrackCounts.zero, s = TrackCounts.zero
            for _ in 0..<30 {
                c = c.adding(rng.trackCounts(requests: 100, errorRate: 0.01))
                s = s.adding(rng.trackCounts(requests: 1900, errorRate: 0.01))
                let pc = Double(c.errors) / Double(c.requests), ps = Double(s.errors) / Double(s.requests)
                let p = Double(c.errors + s.errors) / Double(c.requests + s.requests)
                let se = (p * (1 - p) * (1 / Double(c.requests) + 1 / Double(s.requests))).squareRoot()
                if se > 0, (pc - ps) / se > 1.645 { rejected += 1; break }
            }
        }
        #expect(Double(rejected) / Double(runs) > 0.08)
    }
}
