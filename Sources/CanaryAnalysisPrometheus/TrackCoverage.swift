/// What all of one track's samples say about an interval's two ends, before anything is counted.
///
/// The interval can be counted only if some series of the track has a sample within the tolerance of
/// its start and some within the tolerance of its end; otherwise Prometheus, or the scrape, was down
/// at that end, and ``check(_:metric:)`` fails with a reason naming the end and the nearest sample.
/// It also tells which scrape targets (`job`, `instance`) were scraped steadily up to the start — one
/// of their series has a sample within the tolerance of the start and, before it, another within the
/// tolerance — which is what lets a series first seen inside the interval count from 0 (``CounterMath``):
/// a new label set on a target scraped all along (the first 5xx of a pod) is new. A series of a target
/// not seen before the start is not counted: it may be a new pod, or one whose scrape was down (right
/// after Prometheus comes back, a pod scraped later than the others), and its first value may hold its
/// whole past. Judging per target, not per track, keeps one late pod from passing on its siblings'
/// steadiness. (Series with neither label, in unit tests, form one target.)
struct TrackCoverage: Sendable {
    let window: CountingWindow
    /// The last sample at or before the start.
    private(set) var lastAtStartMs: Int64?
    /// The first sample after the start, at or before the end.
    private(set) var firstAfterStartMs: Int64?
    /// The last sample at or before the end.
    private(set) var lastMs: Int64?
    /// The scrape targets with a sample within the tolerance of the start preceded by one within the tolerance.
    private(set) var steadyTargets: Set<String> = []

    /// Whether some target was scraped steadily up to the start.
    var isSteadyAtStart: Bool { !steadyTargets.isEmpty }

    init(window: CountingWindow) {
        self.window = window
    }

    /// The scrape target of a series: `job` and `instance`, as Prometheus labels every scraped series.
    static func target(_ labels: [String: String]) -> String {
        (labels["job"] ?? "") + "\u{0}" + (labels["instance"] ?? "")
    }

    /// Whether the target of a series with `labels` was scraped steadily up to the start.
    func isSteady(_ labels: [String: String]) -> Bool { steadyTargets.contains(Self.target(labels)) }

    /// Adds one series' samples; `labels` name its scrape target.
    mutating func add(_ samples: [RawSample], labels: [String: String] = [:]) {
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
            if i > 0, window.isNearStart(t), t - times[i - 1] <= window.toleranceMs { steadyTargets.insert(Self.target(labels)) }
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
                    + "(the nearest is at \(CountingWindow.iso(nearestToStartMs))): Prometheus or its scrape was down",
                laterStartMayHelp: true)
        }
        guard window.isNearEnd(lastMs) else {
            throw PrometheusFailure(
                "no sample of \(track) within \(window.toleranceText) of the interval's end \(end) "
                    + "(the nearest is at \(CountingWindow.iso(lastMs))): Prometheus or its scrape was down")
        }
        guard firstAfterStartMs != nil else {
            throw PrometheusFailure(
                "no sample of \(track) inside the interval (\(start), \(end)] (the last is at \(CountingWindow.iso(lastMs))); "
                    + "an interval shorter than the scrape interval may have none")
        }
    }
}
