import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Testing

@Suite struct ExposureRequirementTests {
    func requirement(tests k: Int, share: Double, alpha: Double = 0.05) -> ExposureRequirement {
        ExposureRequirement(logBound: log(Double(k) / alpha), canaryShare: share, power: 0.8, detectRatio: 2,
                            test: SequentialTest())
    }

    /// Reference values from an independent computation (scipy, same single-look model):
    /// K = 3 → 25.0 expected events, K = 33 → 33.8 at a 5% canary.
    @Test(arguments: [(3, 25.03), (33, 33.82)])
    func minimumMatchesReference(k: Int, expected: Double) {
        let m = requirement(tests: k, share: 0.05).minimumExposure
        #expect(abs(m - expected) < 0.6, "got \(m)")
    }

    @Test func growsWithTheCanaryShareAndTheNumberOfTests() {
        let small = requirement(tests: 3, share: 0.05).minimumExposure
        let half = requirement(tests: 3, share: 0.5).minimumExposure
        let many = requirement(tests: 100, share: 0.05).minimumExposure
        #expect(half > small * 1.5)
        #expect(many > small)
    }

    @Test func powerAtTheMinimumIsThePowerAsked() {
        let r = requirement(tests: 3, share: 0.05)
        let m = r.minimumExposure
        #expect(r.power(atExposure: m) >= 0.8)
        #expect(r.power(atExposure: m * 0.9) < 0.8)
    }

    /// Simulated: a 2× canary at the minimum exposure is caught (looking once, at the end) at least 80% of the time.
    @Test func simulatedPowerAtTheMinimum() {
        let r = requirement(tests: 3, share: 0.05)
        let mu = r.minimumExposure
        let test = SequentialTest()
        var rng = SeededGenerator(seed: 11)
        var caught = 0
        let runs = 2000
        for _ in 0..<runs {
            // Stable rate 1%: canary requests = mu / 0.01, stable 19× that.
            let nc = Int(mu / 0.01), ns = 19 * nc
            let xc = rng.poisson(Double(nc) * 0.02), xs = rng.poisson(Double(ns) * 0.01)
            var ll: [Double] = []
            test.accumulate(into: &ll, canaryRequests: nc, canaryEvents: xc, stableRequests: ns, stableEvents: xs)
            if test.logEvidence(ll) >= log(60) { caught += 1 }
        }
        #expect(Double(caught) / Double(runs) > 0.77)
    }
}
