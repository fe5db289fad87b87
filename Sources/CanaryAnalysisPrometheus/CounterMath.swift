/// The increase of a raw counter over an interval `(start, end]`, from its scraped samples,
/// without extrapolation: the difference of the counter's values at the interval's two ends,
/// with resets handled.
///
/// The value at `start` is the last sample at or before `start`; a series with no such sample
/// started inside the interval and counts from 0. From there, consecutive samples add their
/// difference, and a drop is a reset: the counter restarted from 0, so the new value is the
/// increase. Samples after `end` are ignored.
enum CounterMath {
    /// The increase, or a failure when a sample in play is NaN, infinite or negative.
    static func increase(_ samples: [RawSample], startMs: Int64, endMs: Int64) throws(PrometheusFailure) -> Double {
        let ordered = samples.sorted { $0.timestampMs < $1.timestampMs }
        var previous = 0.0
        var total = 0.0
        for sample in ordered where sample.timestampMs <= endMs {
            guard sample.value.isFinite else {
                throw PrometheusFailure("a counter sample is \(sample.value.isNaN ? "NaN" : "infinite")")
            }
            guard sample.value >= 0 else { throw PrometheusFailure("a counter sample is negative (\(sample.value))") }
            if sample.timestampMs <= startMs {
                previous = sample.value
                continue
            }
            total += sample.value >= previous ? sample.value - previous : sample.value
            previous = sample.value
        }
        return total
    }

    /// Whether the series has a sample inside `(start, end]`, i.e. was scraped during the interval.
    static func isLive(_ samples: [RawSample], startMs: Int64, endMs: Int64) -> Bool {
        samples.contains { $0.timestampMs > startMs && $0.timestampMs <= endMs }
    }
}
