import CanaryAnalysis

/// One track's counts over one interval, per latency bucket (not cumulative).
struct TrackInterval: Sendable {
    var requests = 0
    var errors = 0
    /// Requests per bucket `(bounds[i-1], bounds[i]]` of ``LatencyModel/bounds``.
    var bins = [Int](repeating: 0, count: LatencyModel.bounds.count)

    mutating func add(_ other: TrackInterval) {
        requests += other.requests
        errors += other.errors
        for i in bins.indices { bins[i] += other.bins[i] }
    }

    /// The counts as the analysis library takes them: a cumulative histogram ending at +Inf.
    var trackCounts: TrackCounts {
        var cumulative = bins
        for i in cumulative.indices.dropFirst() { cumulative[i] += cumulative[i - 1] }
        return TrackCounts(requests: requests, errors: errors,
                           latency: LatencyHistogram(bounds: LatencyModel.bounds, counts: cumulative))
    }
}

/// Both tracks of one route over one interval.
struct RouteInterval: Sendable {
    var stable = TrackInterval()
    var canary = TrackInterval()
}

/// Everything one simulated minute produced: per route, the service totals, and the same
/// counts as a ``TrafficSample`` for the analysis library (built once, shared by its judges).
struct SimulatedInterval: Sendable {
    var routes: [RouteInterval]
    var stable: TrackInterval
    var canary: TrackInterval
    var sample: TrafficSample

    init(routes: [RouteInterval], routeNames: [String]) {
        self.routes = routes
        var stable = TrackInterval(), canary = TrackInterval()
        for r in routes {
            stable.add(r.stable)
            canary.add(r.canary)
        }
        self.stable = stable
        self.canary = canary
        var perRoute: [String: RouteCounts] = [:]
        if routes.count > 1 {
            for (name, r) in zip(routeNames, routes) {
                perRoute[name] = RouteCounts(stable: r.stable.trackCounts, canary: r.canary.trackCounts)
            }
        }
        self.sample = TrafficSample(stable: stable.trackCounts, canary: canary.trackCounts, routes: perRoute)
    }
}
