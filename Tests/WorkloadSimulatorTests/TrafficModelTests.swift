import Foundation
import Testing
@testable import WorkloadSimulator

/// Statistical checks with fixed seeds; bounds are about 4 standard deviations wide, so they cannot fail by
/// chance for these seeds, yet they fail for a wrong rate, share or distribution.
@Suite struct TrafficModelTests {
    /// Sums `ticks` ticks of `seconds` at `rate`, merged over routes and status codes.
    func run(_ behaviour: PodBehaviour, rate: Double, ticks: Int, seconds: Double = 0.1, seed: UInt64 = 7)
        -> (all: DurationHistogram, errors: Int, perRoute: [String: Int]) {
        let model = TrafficModel(behaviour: behaviour)
        var random = SimulationRandom(seed: seed)
        var all = DurationHistogram()
        var errors = 0
        var perRoute: [String: Int] = [:]
        for _ in 0..<ticks {
            for (key, histogram) in model.sample(rate: rate, seconds: seconds, using: &random) {
                all.add(histogram)
                perRoute[key.route, default: 0] += histogram.count
                if key.statusCode == 500 { errors += histogram.count }
                #expect(histogram.buckets.reduce(0, +) == histogram.count)
            }
        }
        return (all, errors, perRoute)
    }

    @Test func requestCountFollowsTheRate() {
        // 100 req/s for 100 s: mean 10,000, sd 100.
        let result = run(PodBehaviour(), rate: 100, ticks: 1000)
        #expect(abs(result.all.count - 10_000) < 400)
    }

    @Test(arguments: [(100.0, 0.2), (10_000.0, 0.2), (10_000.0, 0.005)])
    func errorShareMatchesTheErrorRate(rate: Double, errorRate: Double) {
        let result = run(PodBehaviour(errorRate: errorRate), rate: rate, ticks: rate > 1000 ? 20 : 1000)
        let n = Double(result.all.count)
        let share = Double(result.errors) / n
        let sd = (errorRate * (1 - errorRate) / n).squareRoot()
        #expect(abs(share - errorRate) < 4 * sd, "error share \(share) over \(result.all.count) requests")
    }

    @Test func routeSharesMatchTheWeights() {
        let result = run(PodBehaviour(), rate: 10_000, ticks: 10)
        let n = Double(result.all.count)
        for (route, expected) in [("/api/cart", 0.5), ("/api/checkout", 0.3), ("/", 0.2)] {
            let share = Double(result.perRoute[route] ?? 0) / n
            #expect(abs(share - expected) < 4 * (expected * (1 - expected) / n).squareRoot(), "\(route): \(share)")
        }
    }

    @Test func bucketProbabilitiesFollowTheLogNormal() {
        // Median 40 ms, sigma 0.4: P(L ≤ b) = Φ(ln(b / 0.04) / 0.4).
        let model = TrafficModel(behaviour: PodBehaviour())
        let cumulative = model.bucketProbabilities.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        let bounds = DurationHistogram.bounds
        #expect(abs(cumulative[bounds.firstIndex(of: 0.025)!] - 0.1200) < 0.0005)
        #expect(abs(cumulative[bounds.firstIndex(of: 0.05)!] - 0.7115) < 0.0005)
        #expect(abs(cumulative[bounds.firstIndex(of: 0.1)!] - 0.9890) < 0.0005)
        #expect(abs(cumulative.last! - 1) < 1e-12)
        #expect(abs(model.meanSeconds - 0.04 * exp(0.08)) < 1e-12)
    }

    /// Both paths (request by request for small counts, multinomial for large ones) give the bucket shares.
    @Test(arguments: [100.0, 20_000.0])
    func sampledBucketSharesMatchTheProbabilities(rate: Double) {
        let behaviour = PodBehaviour(slowRate: 0.1, slowMilliseconds: 1500)
        let model = TrafficModel(behaviour: behaviour)
        let result = run(behaviour, rate: rate, ticks: rate > 1000 ? 10 : 2000)
        let n = Double(result.all.count)
        for (i, p) in model.bucketProbabilities.enumerated() {
            let share = Double(result.all.buckets[i]) / n
            #expect(abs(share - p) < 4 * (p * (1 - p) / n).squareRoot() + 1e-9, "bucket \(i): \(share) vs \(p)")
        }
        // About 10% are slow (above 0.5 s), and the mean duration is the mixture's.
        let aboveHalfSecond = Double(result.all.buckets[(DurationHistogram.bounds.firstIndex(of: 0.5)! + 1)...].reduce(0, +)) / n
        #expect(abs(aboveHalfSecond - 0.0997) < 0.01)
        let meanSD = (model.varianceSeconds / n).squareRoot()
        #expect(abs(result.all.sum / n - model.meanSeconds) < 4 * meanSD)
    }

    @Test func sameSeedSameTrafficOtherSeedOtherTraffic() {
        let a = run(PodBehaviour(errorRate: 0.1), rate: 500, ticks: 50, seed: 42)
        let b = run(PodBehaviour(errorRate: 0.1), rate: 500, ticks: 50, seed: 42)
        let c = run(PodBehaviour(errorRate: 0.1), rate: 500, ticks: 50, seed: 43)
        #expect(a.all == b.all && a.errors == b.errors)
        #expect(a.all != c.all)
    }

    @Test func noRateNoRequests() {
        var random = SimulationRandom(seed: 1)
        #expect(TrafficModel(behaviour: PodBehaviour()).sample(rate: 0, seconds: 1, using: &random).isEmpty)
    }
}

@Suite struct SimulationRandomTests {
    @Test(arguments: [(30, 0.3), (1000, 0.01), (1000, 0.4), (1000, 0.995), (100_000, 0.2)])
    func binomialMeanInEveryRegime(n: Int, p: Double) {
        var random = SimulationRandom(seed: 3)
        let draws = 2000
        var total = 0
        for _ in 0..<draws {
            let k = random.binomial(n, p)
            #expect((0...n).contains(k))
            total += k
        }
        let mean = Double(total) / Double(draws)
        let sd = (Double(n) * p * (1 - p) / Double(draws)).squareRoot()
        #expect(abs(mean - Double(n) * p) < 4 * sd + 0.01, "mean \(mean)")
    }

    @Test(arguments: [0.5, 20.0, 500.0])
    func poissonMean(lambda: Double) {
        var random = SimulationRandom(seed: 5)
        let draws = 5000
        var total = 0
        for _ in 0..<draws { total += random.poisson(lambda) }
        #expect(abs(Double(total) / Double(draws) - lambda) < 4 * (lambda / Double(draws)).squareRoot())
    }

    @Test func multinomialKeepsTheTotal() {
        var random = SimulationRandom(seed: 9)
        for n in [0, 1, 50, 5000] {
            let counts = random.multinomial(n, [0.1, 0.0, 0.6, 0.3])
            #expect(counts.reduce(0, +) == n)
            #expect(counts[1] == 0)
        }
    }

    @Test func streamsDependOnSeedAndName() {
        var a = SimulationRandom(seed: 1, stream: "prod/shop-1")
        var b = SimulationRandom(seed: 1, stream: "prod/shop-1")
        var c = SimulationRandom(seed: 1, stream: "prod/shop-2")
        var d = SimulationRandom(seed: 2, stream: "prod/shop-1")
        let first = (a.next(), a.next())
        #expect(first == (b.next(), b.next()))
        #expect(first != (c.next(), c.next()))
        #expect(first != (d.next(), d.next()))
    }
}
