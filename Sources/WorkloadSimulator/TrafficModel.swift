import Foundation

/// Samples one pod's traffic over a span of time: how many requests arrived (Poisson), which routes they hit
/// (multinomial over the route shares), how many failed (binomial) and how long they took (log-normal around
/// the median, a mixture with the slow requests' log-normal).
///
/// Small counts are sampled request by request; larger ones draw the bucket counts directly (a multinomial over
/// the buckets' probabilities from the log-normal CDF) and the sum of durations from its normal approximation,
/// so a tick costs the same at 10 or 10,000 requests per second.
public struct TrafficModel: Sendable {
    /// The key of one exported series of a pod: route and status code.
    public struct SeriesKey: Hashable, Sendable, Comparable {
        public var route: String
        public var statusCode: Int

        public init(route: String, statusCode: Int) {
            self.route = route
            self.statusCode = statusCode
        }

        public static func < (a: SeriesKey, b: SeriesKey) -> Bool {
            (a.route, a.statusCode) < (b.route, b.statusCode)
        }
    }

    public let behaviour: PodBehaviour
    /// Probability of each bucket of ``DurationHistogram`` (sums to 1).
    public let bucketProbabilities: [Double]
    /// Mean and variance of one request's duration, in seconds.
    public let meanSeconds: Double
    public let varianceSeconds: Double

    /// Above this many requests in one group, bucket counts are drawn as a multinomial.
    static let exactLimit = 64

    public init(behaviour: PodBehaviour) {
        self.behaviour = behaviour
        let sigma = behaviour.sigma
        let fast = (mu: log(behaviour.latencyMilliseconds / 1000), weight: 1 - behaviour.slowRate)
        let slow = (mu: log(behaviour.slowMilliseconds / 1000), weight: behaviour.slowRate)
        func cdf(_ x: Double) -> Double {
            func logNormal(_ mu: Double) -> Double { 0.5 * erfc(-(log(x) - mu) / (sigma * 2.0.squareRoot())) }
            return fast.weight * logNormal(fast.mu) + slow.weight * logNormal(slow.mu)
        }
        var probabilities: [Double] = []
        var previous = 0.0
        for bound in DurationHistogram.bounds {
            let c = cdf(bound)
            probabilities.append(max(0, c - previous))
            previous = c
        }
        probabilities.append(max(0, 1 - previous))
        bucketProbabilities = probabilities
        // Mixture moments: E[X] = Σ w·e^(μ+σ²/2), E[X²] = Σ w·e^(2μ+2σ²).
        let s2 = sigma * sigma
        let mean = fast.weight * exp(fast.mu + s2 / 2) + slow.weight * exp(slow.mu + s2 / 2)
        let second = fast.weight * exp(2 * fast.mu + 2 * s2) + slow.weight * exp(2 * slow.mu + 2 * s2)
        meanSeconds = mean
        varianceSeconds = max(0, second - mean * mean)
    }

    /// The requests of `seconds` of traffic at `rate` requests per second, per route and status code (only
    /// groups with at least one request).
    public func sample(rate: Double, seconds: Double, using random: inout SimulationRandom) -> [SeriesKey: DurationHistogram] {
        let total = random.poisson(rate * seconds)
        guard total > 0 else { return [:] }
        let perRoute = random.multinomial(total, behaviour.routes.map(\.share))
        var result: [SeriesKey: DurationHistogram] = [:]
        for (route, requests) in zip(behaviour.routes, perRoute) where requests > 0 {
            let errors = random.binomial(requests, behaviour.errorRate)
            for (status, n) in [(200, requests - errors), (500, errors)] where n > 0 {
                result[SeriesKey(route: route.path, statusCode: status)] = durations(count: n, using: &random)
            }
        }
        return result
    }

    /// The durations of `count` requests.
    func durations(count: Int, using random: inout SimulationRandom) -> DurationHistogram {
        var histogram = DurationHistogram()
        if count <= Self.exactLimit {
            for _ in 0..<count { histogram.record(duration(using: &random)) }
            return histogram
        }
        histogram.buckets = random.multinomial(count, bucketProbabilities)
        histogram.count = count
        let n = Double(count)
        histogram.sum = max(0, n * meanSeconds + (n * varianceSeconds).squareRoot() * random.normal())
        return histogram
    }

    /// One request's duration in seconds.
    func duration(using random: inout SimulationRandom) -> Double {
        let median = behaviour.slowRate > 0 && random.uniform() < behaviour.slowRate
            ? behaviour.slowMilliseconds : behaviour.latencyMilliseconds
        return median / 1000 * exp(behaviour.sigma * random.normal())
    }
}
