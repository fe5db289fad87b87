import Foundation

/// The latency of one track on one route: a lognormal (median 50 ms, σ 0.6 by default),
/// optionally scaled as a whole, or with a small fraction of requests delayed by a fixed amount
/// (a tail-only regression). Gives the probability of each OpenTelemetry default bucket.
struct LatencyModel: Sendable, Equatable {
    /// OpenTelemetry's default explicit bucket bounds for `http.server.request.duration`, in seconds.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, .infinity]

    var median: Double = 0.050
    var sigma: Double = 0.6
    /// Every request takes this many times longer.
    var scale: Double = 1
    /// This share of requests is delayed by `tailDelay` seconds.
    var tailShare: Double = 0
    var tailDelay: Double = 0

    /// P(latency ≤ x).
    func cdf(_ x: Double) -> Double {
        func base(_ y: Double) -> Double {
            guard y > 0 else { return 0 }
            if y == .infinity { return 1 }
            let z = log(y / (median * scale)) / sigma
            return 0.5 * erfc(-z / 2.0.squareRoot())
        }
        return (1 - tailShare) * base(x) + tailShare * base(x - tailDelay)
    }

    /// Probability of each bucket `(bounds[i-1], bounds[i]]`, summing to 1.
    var bucketProbabilities: [Double] {
        var previous = 0.0
        return Self.bounds.map { bound in
            let c = cdf(bound)
            defer { previous = c }
            return max(0, c - previous)
        }
    }
}
