/// A histogram of request durations in the OpenTelemetry HTTP semantic-convention bucket layout: per-bucket
/// (non-cumulative) counts, the sum of durations in seconds, and the count.
public struct DurationHistogram: Sendable, Equatable, Codable {
    /// Upper bounds in seconds (inclusive, as Prometheus's `le`); a last, unbounded bucket follows them.
    public static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

    /// `bounds.count + 1` counts; the last is above the largest bound.
    public var buckets: [Int]
    public var sum: Double
    public var count: Int

    public init() {
        buckets = [Int](repeating: 0, count: Self.bounds.count + 1)
        sum = 0
        count = 0
    }

    /// The bucket a duration falls in (the first whose bound is at least `seconds`).
    public static func bucketIndex(of seconds: Double) -> Int {
        bounds.firstIndex { seconds <= $0 } ?? bounds.count
    }

    /// Records one duration.
    public mutating func record(_ seconds: Double) {
        buckets[Self.bucketIndex(of: seconds)] += 1
        sum += seconds
        count += 1
    }

    /// Adds another histogram's counts to this one.
    public mutating func add(_ other: DurationHistogram) {
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        sum += other.sum
        count += other.count
    }

    /// Counts at or below each bound, then the total (the `+Inf` bucket).
    public var cumulative: [Int] {
        var running = 0
        return buckets.map { running += $0; return running }
    }
}
