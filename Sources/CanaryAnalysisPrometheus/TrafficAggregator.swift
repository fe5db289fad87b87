import CanaryAnalysis

/// A deployment track, with the label value that names it.
enum Track: String, Sendable, CaseIterable {
    case stable
    case canary
}

/// Sums raw counter series, already attributed to one track, into that track's counts:
/// requests and errors from the `_count` series, the cumulative latency histogram from the
/// `_bucket` series, in total and per route. Each series counts over the ``CountingWindow`` as
/// ``CounterMath`` says, once ``TrackCoverage`` has found the track's samples near both ends.
struct TrafficAggregator: Sendable {
    let routeLabel: String
    let statusCodeLabel: String
    let errorTypeLabel: String
    let window: CountingWindow

    private struct Totals {
        var requests = 0.0
        var errors = 0.0
        var buckets: [Double: Double] = [:]
    }

    private var all = Totals()
    private var routes: [String: Totals] = [:]

    init(routeLabel: String, statusCodeLabel: String, errorTypeLabel: String, window: CountingWindow) {
        self.routeLabel = routeLabel
        self.statusCodeLabel = statusCodeLabel
        self.errorTypeLabel = errorTypeLabel
        self.window = window
    }

    /// Adds all of one track's series, described as `track` ("service "shop" track canary"): fails when the
    /// track has no sample near one of the window's ends (see ``TrackCoverage``), or when one series cannot
    /// be counted (a gap at the start, a NaN: see ``CounterMath``), naming the series. A partial sum is
    /// never returned: leaving one series out would skew the track's error rate.
    mutating func add(counts: [RawSeries], buckets: [RawSeries], track: String, metric: String) throws(PrometheusFailure) {
        var coverage = TrackCoverage(window: window)
        for series in counts { coverage.add(series.samples, labels: series.labels) }
        try coverage.check(track, metric: metric + "_count")
        for series in counts {
            do {
                try addCount(series, newSeriesStartAtZero: coverage.isSteady(series.labels))
            } catch {
                throw error.prefixed(Self.name(metric + "_count", series.labels) + " of " + track)
            }
        }
        for series in buckets {
            do {
                try addBucket(series, newSeriesStartAtZero: coverage.isSteady(series.labels))
            } catch {
                throw error.prefixed(Self.name(metric + "_bucket", series.labels) + " of " + track)
            }
        }
    }

    /// `metric{a="x",b="y"}`, labels sorted, for messages.
    static func name(_ metric: String, _ labels: [String: String]) -> String {
        metric + "{" + labels.filter { $0.key != "__name__" }.sorted { $0.key < $1.key }
            .map { PromQL.equals($0.key, $0.value) }.joined(separator: ",") + "}"
    }

    /// Whether a series' labels say its requests failed: a 5xx status code, or `error_type` set.
    func isError(_ labels: [String: String]) -> Bool {
        if let code = labels[statusCodeLabel], code.count == 3, code.hasPrefix("5"), code.allSatisfy(\.isNumber) {
            return true
        }
        if let errorType = labels[errorTypeLabel], !errorType.isEmpty { return true }
        return false
    }

    /// Adds one `_count` series.
    private mutating func addCount(_ series: RawSeries, newSeriesStartAtZero: Bool) throws(PrometheusFailure) {
        let increase = try CounterMath.increase(series.samples, in: window, newSeriesStartAtZero: newSeriesStartAtZero)
        let error = isError(series.labels)
        all.requests += increase
        if error { all.errors += increase }
        if let route = series.labels[routeLabel], !route.isEmpty {
            routes[route, default: Totals()].requests += increase
            if error { routes[route, default: Totals()].errors += increase }
        }
    }

    /// Adds one `_bucket` series.
    private mutating func addBucket(_ series: RawSeries, newSeriesStartAtZero: Bool) throws(PrometheusFailure) {
        guard let text = series.labels["le"], let bound = PrometheusResponse.parseValue(text), !bound.isNaN else {
            throw PrometheusFailure("a bucket series has no usable le label")
        }
        let increase = try CounterMath.increase(series.samples, in: window, newSeriesStartAtZero: newSeriesStartAtZero)
        all.buckets[bound, default: 0] += increase
        if let route = series.labels[routeLabel], !route.isEmpty {
            routes[route, default: Totals()].buckets[bound, default: 0] += increase
        }
    }

    /// The track's counts in total.
    var counts: TrackCounts { Self.counts(all) }

    /// The track's counts per route (`http_route`).
    var routeCounts: [String: TrackCounts] { routes.mapValues(Self.counts) }

    private static func counts(_ totals: Totals) -> TrackCounts {
        var counts = TrackCounts(requests: Int(totals.requests.rounded()), errors: Int(totals.errors.rounded()))
        if !totals.buckets.isEmpty {
            let bounds = totals.buckets.keys.sorted()
            let histogram = LatencyHistogram(bounds: bounds, counts: bounds.map { Int((totals.buckets[$0] ?? 0).rounded()) })
            // Series with different bucket layouts cannot be summed into one histogram: leave latency unknown.
            if (try? histogram.validate()) != nil {
                counts.latency = histogram
                if (try? counts.validate()) == nil { counts.latency = nil }
            }
        }
        return counts
    }
}
