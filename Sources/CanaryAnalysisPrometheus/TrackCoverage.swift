/// What all of one track's samples say about an interval's two ends, before anything is counted.
///
/// The interval can be counted only if some series of the track has a sample within the tolerance of
/// its start and some within the tolerance of its end; otherwise Prometheus, or the scrape, was down
/// at that end, and ``check(_:metric:)`` fails with a reason naming the end and the nearest sample.
/// It also tells whether the track was scraped steadily up to the start — some series has a sample
/// within the tolerance of the start and, before it, another within the tolerance — which is what lets
/// a series first seen inside the interval count from 0 (``CounterMath``): right after Prometheus
/// comes back, a pod scraped a little later than the others would otherwise look new, and its whole
/// past would be counted.
struct TrackCoverage: Sendable {
    let window: CountingWindow
    /// The last sample at or before the start.
    private(set) var lastAtStartMs: Int64?
    /// The first sample after the start, at or before the end.
    private(set) var firstAfterStartMs: Int64?
    /// The last sample at or before the end.
    private(set) var lastMs: Int64?
    /// Whether some sample lies inside the interval.
    private(set) var isLive = false
    /// Whether some series has a sample within the tolerance of the start preceded by one within the tolerance.
    private(set) var isSteadyAtStart = false

    init(window: CountingWindow) {
        self.window = window
    }

    /// Adds one series' samples.
    mutating func add(_ samples: [RawSample]) {
        let times = samples.map(\.timestampMs)
            .filter { $0 <= window.endMs && $0 >= window.startMs - window.historyMs }
            .sorted()
        for (i, t) in times.enumerated() {
            if t <= window.startMs {
                if lastAtStartMs.map({ t > $0 }) ?? true { lastAtStartMs = t }
            } else if firstAfterStartMs.map({ t < $0 }) ?? true {
                firstAfterStartMs = t
            }
            if lastMs.map({ t > $0 }) ?? true { lastMs = t }
            if window.isInside(t) { isLive = true }
            if i > 0, window.isNearStart(t), t - times[i - 1] <= window.toleranceMs { isSteadyAtStart = true }
        }
    }

    /// The sample nearest to the start, before or after it.
    private var nearestToStartMs: Int64 {
        switch (lastAtStartMs, firstAfterStartMs) {
        case let (before?, after?): window.startMs - before <= after - window.startMs ? before : after
        case let (before?, nil): before
        case let (nil, after?): after
        case (nil, nil): window.startMs
        }
    }

    /// Fails, for a track described as `track` ("service "shop" track canary"), when it has no sample,
    /// none within the tolerance of either end, or none inside the interval.
    func check(_ track: String, metric: String) throws(PrometheusFailure) {
        let start = CountingWindow.iso(window.startMs)
        let end = CountingWindow.iso(window.endMs)
        guard let lastMs else {
            throw PrometheusFailure("no series for \(track) between \(start) and \(end) in \(metric)")
        }
        guard let lastAtStartMs, window.isNearStart(lastAtStartMs) else {
            throw PrometheusFailure(
                "no sample of \(track) within \(window.toleranceText) of the interval's start \(start) "
                    + "(the nearest is at \(CountingWindow.iso(nearestToStartMs))): Prometheus or its scrape was down")
        }
        guard window.isNearEnd(lastMs) else {
            throw PrometheusFailure(
                "no sample of \(track) within \(window.toleranceText) of the interval's end \(end) "
                    + "(the nearest is at \(CountingWindow.iso(lastMs))): Prometheus or its scrape was down")
        }
        guard isLive else {
            throw PrometheusFailure(
                "no sample of \(track) inside the interval (\(start), \(end)] (the last is at \(CountingWindow.iso(lastMs))); "
                    + "an interval shorter than the scrape interval may have none")
        }
    }
}
