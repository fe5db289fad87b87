import CanaryAnalysis

/// A deployment track, with the label value that names it.
enum Track: String, Sendable, CaseIterable {
    case stable
    case canary
}

/// Sums raw counter series, already attributed to one track, into that track's counts:
/// requests and errors from the `_count` series, the cumulative latency histogram from the
/// `_bucket` series, in total and per route.
struct TrafficAggregator: Sendable {
    let routeLabel: String
    let statusCodeLabel: String
    let errorTypeLabel: String
    let startMs: Int64
    let endMs: Int64

    private struct Totals {
        var requests = 0.0
        var errors = 0.0
        var buckets: [Double: Double] = [:]
    }

    private var all = Totals()
    private var routes: [String: Totals] = [:]
    /// Whether any series of this track was scraped during the interval.
    private(set) var sawLiveSeries = false

    init(routeLabel: String, statusCodeLabel: String, errorTypeLabel: String, startMs: Int64, endMs: Int64) {
        self.routeLabel = routeLabel
        self.statusCodeLabel = statusCodeLabel
        self.errorTypeLabel = errorTypeLabel
        self.startMs = startMs
        self.endMs = endMs
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
    mutating func addCount(_ series: RawSeries) throws(PrometheusFailure) {
        let increase = try CounterMath.increase(series.samples, startMs: startMs, endMs: endMs)
        if CounterMath.isLive(series.samples, startMs: startMs, endMs: endMs) { sawLiveSeries = true }
        let error = isError(series.labels)
        all.requests += increase
        if error { all.errors += increase }
        if let route = series.labels[routeLabel], !route.isEmpty {
            routes[route, default: Totals()].requests += increase
            if error { routes[route, default: Totals()].errors += increase }
        }
    }

    /// Adds one `_bucket` series.
    mutating func addBucket(_ series: RawSeries) throws(PrometheusFailure) {
        guard let text = series.labels["le"], let bound = PrometheusResponse.parseValue(text), !bound.isNaN else {
            throw PrometheusFailure("a bucket series has no usable le label")
        }
        let increase = try CounterMath.increase(series.samples, startMs: startMs, endMs: endMs)
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
