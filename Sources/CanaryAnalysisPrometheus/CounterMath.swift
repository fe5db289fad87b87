/// The increase of one raw counter series over an interval `(start, end]`, from its scraped samples,
/// without extrapolation: the difference of the counter's values at the interval's two ends, with
/// resets handled.
///
/// - The value at `start` is the series' last sample at or before `start`, which must lie within the
///   window's tolerance of it. The value at `end` is its last sample at or before `end`. So the sample
///   that ends one interval starts the next: consecutive intervals never count a request twice or
///   drop one.
/// - From the start value, each later sample up to `end` adds its difference from the previous one; a
///   drop is a reset (the process restarted and counted from 0 again), so the new value is the increase.
/// - A series sampled near the start (or inside the interval) must also have a sample within the
///   tolerance of the end; otherwise it stopped being scraped during the interval (its pod went, or its
///   scrape is down) and the requests it served since are unknown: it fails. Counting it as 0 would
///   leave exactly the failing pod's errors out. A series last seen before `start − tolerance` (a pod
///   gone earlier) adds 0.
/// - A series whose first sample in the whole range (back to `start − history`) is inside the interval
///   is new (a new pod, or the first request with its labels) and counts from 0 — only when the
///   track was scraped steadily up to the start (`newSeriesStartAtZero`, see ``TrackCoverage``);
///   otherwise it fails.
/// - A series that has samples before `start − tolerance`, none in `[start − tolerance, start]` and
///   some inside the interval had a gap at the start: counting it from its old sample would put the
///   traffic of the whole gap into this interval, and counting it from 0 would add its whole past.
///   It fails, and the caller makes the track's interval `noData`.
///
/// The failures are ``PrometheusFailure``s whose reason speaks of the series as "it".
enum CounterMath {
    /// The increase, or a failure when the series has a gap at the start, is new while the track was not
    /// scraped steadily, or has a NaN, infinite or negative sample in the range.
    static func increase(_ samples: [RawSample], in window: CountingWindow, newSeriesStartAtZero: Bool) throws(PrometheusFailure) -> Double {
        let ordered = samples
            .filter { $0.timestampMs <= window.endMs && $0.timestampMs >= window.startMs - window.historyMs }
            .sorted { $0.timestampMs < $1.timestampMs }
        for sample in ordered {
            guard sample.value.isFinite else {
                throw PrometheusFailure("a counter sample is \(sample.value.isNaN ? "NaN" : "infinite")")
            }
            guard sample.value >= 0 else { throw PrometheusFailure("a counter sample is negative (\(sample.value))") }
        }
        if let last = ordered.last, last.timestampMs >= window.startMs - window.toleranceMs, !window.isNearEnd(last.timestampMs) {
            throw PrometheusFailure(
                "it has no sample within \(window.toleranceText) of the interval's end \(CountingWindow.iso(window.endMs)) "
                    + "(its last is at \(CountingWindow.iso(last.timestampMs))): its scrape stopped during the interval, so what it served "
                    + "since is unknown", laterStartMayHelp: true)
        }
        guard let firstInside = ordered.firstIndex(where: { window.isInside($0.timestampMs) }) else { return 0 }
        var previous: Double
        if firstInside > 0 {
            let atStart = ordered[firstInside - 1]
            guard window.isNearStart(atStart.timestampMs) else {
                throw PrometheusFailure(
                    "it has no sample within \(window.toleranceText) of the interval's start \(CountingWindow.iso(window.startMs)) "
                        + "(its last before is at \(CountingWindow.iso(atStart.timestampMs)), the next at \(CountingWindow.iso(ordered[firstInside].timestampMs))): "
                        + "its scrape was down at the start, and the traffic of that gap cannot be placed in one interval", laterStartMayHelp: true)
            }
            previous = atStart.value
        } else {
            guard newSeriesStartAtZero else {
                throw PrometheusFailure(
                    "it first appears at \(CountingWindow.iso(ordered[firstInside].timestampMs)), inside the interval, but the track was not scraped "
                        + "steadily up to the start: it may be a series whose scrape was down rather than a new one, and its first value may hold earlier traffic",
                    laterStartMayHelp: true)
            }
            previous = 0
        }
        var total = 0.0
        for sample in ordered[firstInside...] {
            total += sample.value >= previous ? sample.value - previous : sample.value
            previous = sample.value
        }
        return total
    }
}
