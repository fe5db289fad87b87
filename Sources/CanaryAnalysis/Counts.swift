import Foundation

/// Cumulative latency histogram of one interval on one track, as Prometheus and
/// OpenTelemetry explicit-bucket histograms report it.
///
/// `counts[i]` is the number of the interval's requests that took at most
/// `bounds[i]` seconds, so counts never fall along the list. The last bound may be
/// `+Inf`, in which case its count equals the interval's requests.
public struct LatencyHistogram: Codable, Sendable, Equatable {
    /// Upper bounds (`le`) in seconds, strictly ascending.
    public var bounds: [Double]
    /// Cumulative counts, one per bound.
    public var counts: [Int]

    public init(bounds: [Double], counts: [Int]) {
        self.bounds = bounds
        self.counts = counts
    }

    /// Checks the shape: same length, bounds strictly ascending, counts non-negative and non-decreasing.
    public func validate() throws(CountsError) {
        guard bounds.count == counts.count else {
            throw .invalid("latency: \(bounds.count) bounds but \(counts.count) counts")
        }
        guard !bounds.isEmpty else { throw .invalid("latency: no buckets") }
        for i in bounds.indices {
            guard !bounds[i].isNaN else { throw .invalid("latency: bound \(i) is NaN") }
            guard counts[i] >= 0 else { throw .invalid("latency: count for le=\(bounds[i]) is negative") }
            if i > 0 {
                guard bounds[i] > bounds[i - 1] else {
                    throw .invalid("latency: bounds are not ascending (\(bounds[i - 1]) then \(bounds[i]))")
                }
                guard counts[i] >= counts[i - 1] else {
                    throw .invalid("latency: counts fall from \(counts[i - 1]) to \(counts[i]) at le=\(bounds[i])")
                }
            }
        }
    }

    /// Requests that took at most `bound` seconds, if `bound` is one of the bucket bounds.
    public func count(atMost bound: Double) -> Int? {
        guard let i = bounds.firstIndex(of: bound) else { return nil }
        return counts[i]
    }

    /// The smallest bucket bound at or above the `quantile` of this histogram's `total` requests,
    /// or nil when there are no requests. May be `+Inf`.
    public func quantileBound(_ quantile: Double, total: Int) -> Double? {
        guard total > 0 else { return nil }
        let needed = quantile * Double(total)
        for (bound, count) in zip(bounds, counts) where Double(count) >= needed {
            return bound
        }
        return .infinity
    }

    /// The bucket bound a latency test for `quantile` uses: among the finite bounds with at least one
    /// of the `total` requests above them, the one whose share of requests above it is nearest to
    /// `1 − quantile` as a ratio (|log(share / (1 − q))| smallest). Nil when no bound qualifies.
    ///
    /// Nearest rather than "next bound up": with coarse buckets (OpenTelemetry's default
    /// 0.25 s, 0.5 s, …) the next bound above a p999 can have 50 times fewer requests above it than
    /// 0.1%, and a test on such rare events can never gather the exposure a pass needs.
    public func threshold(forQuantile quantile: Double, total: Int) -> Double? {
        guard total > 0 else { return nil }
        let target = 1 - quantile
        var best: (bound: Double, distance: Double)?
        for (bound, count) in zip(bounds, counts) where bound.isFinite {
            let above = total - count
            guard above > 0 else { continue }
            let distance = abs(log(Double(above) / Double(total) / target))
            if best == nil || distance < best!.distance { best = (bound, distance) }
        }
        return best?.bound
    }

    /// Adds another histogram with the same bounds; nil when the bounds differ.
    public func adding(_ other: LatencyHistogram) -> LatencyHistogram? {
        guard bounds == other.bounds else { return nil }
        return LatencyHistogram(bounds: bounds, counts: zip(counts, other.counts).map { $0 + $1 })
    }
}

/// Requests, errors and latency of one track over one interval.
public struct TrackCounts: Codable, Sendable, Equatable {
    /// Requests completed in the interval.
    public var requests: Int
    /// Of those, the ones that failed (5xx, or `error.type` set).
    public var errors: Int
    /// Their latency histogram, when known.
    public var latency: LatencyHistogram?

    public init(requests: Int, errors: Int, latency: LatencyHistogram? = nil) {
        self.requests = requests
        self.errors = errors
        self.latency = latency
    }

    /// No requests, no errors, no histogram.
    public static let zero = TrackCounts(requests: 0, errors: 0)

    /// Checks that counts are non-negative, errors do not exceed requests and the histogram is well formed.
    public func validate() throws(CountsError) {
        guard requests >= 0 else { throw .invalid("requests is negative (\(requests))") }
        guard errors >= 0 else { throw .invalid("errors is negative (\(errors))") }
        guard errors <= requests else { throw .invalid("errors (\(errors)) exceed requests (\(requests))") }
        if let latency {
            try latency.validate()
            if let last = latency.bounds.last, last == .infinity, latency.counts.last != requests {
                throw .invalid("latency: the +Inf count (\(latency.counts.last ?? 0)) differs from requests (\(requests))")
            }
            if let last = latency.counts.last, last > requests {
                throw .invalid("latency: bucket count \(last) exceeds requests (\(requests))")
            }
        }
    }

    /// Sums two intervals' counts. Histograms with different bounds are dropped.
    public func adding(_ other: TrackCounts) -> TrackCounts {
        let latency: LatencyHistogram?
        switch (self.latency, other.latency) {
        case let (a?, b?): latency = a.adding(b)
        case let (a?, nil): latency = other.requests == 0 ? a : nil
        case let (nil, b?): latency = requests == 0 ? b : nil
        case (nil, nil): latency = nil
        }
        return TrackCounts(requests: requests + other.requests, errors: errors + other.errors, latency: latency)
    }
}

/// The counts of one route on both tracks.
public struct RouteCounts: Codable, Sendable, Equatable {
    public var stable: TrackCounts
    public var canary: TrackCounts

    public init(stable: TrackCounts = .zero, canary: TrackCounts = .zero) {
        self.stable = stable
        self.canary = canary
    }
}

/// The value of one user query on each track, or why it has none.
public struct QueryValues: Codable, Sendable, Equatable {
    public var stable: Double?
    public var canary: Double?
    /// Why a value is missing (unreachable server, empty result, NaN, …).
    public var reason: String?

    public init(stable: Double? = nil, canary: Double? = nil, reason: String? = nil) {
        self.stable = stable
        self.canary = canary
        self.reason = reason
    }
}

/// Everything measured over one analysis interval: both tracks, optionally per route,
/// and the user queries' values. Counts are for requests completed inside the interval.
public struct TrafficSample: Codable, Sendable, Equatable {
    public var stable: TrackCounts
    public var canary: TrackCounts
    /// Per-route counts, keyed by `http.route`.
    public var routes: [String: RouteCounts]
    /// User query values, keyed by check name.
    public var queries: [String: QueryValues]

    public init(
        stable: TrackCounts, canary: TrackCounts,
        routes: [String: RouteCounts] = [:], queries: [String: QueryValues] = [:]
    ) {
        self.stable = stable
        self.canary = canary
        self.routes = routes
        self.queries = queries
    }

    /// Validates every track's counts, naming the offending part.
    public func validate() throws(CountsError) {
        func check(_ counts: TrackCounts, _ where_: String) throws(CountsError) {
            do { try counts.validate() } catch { throw .invalid("\(where_): \(error.message)") }
        }
        try check(stable, "stable")
        try check(canary, "canary")
        for (route, counts) in routes.sorted(by: { $0.key < $1.key }) {
            try check(counts.stable, "route \(route) stable")
            try check(counts.canary, "route \(route) canary")
        }
    }
}

/// Stable's traffic before the canary starts: it fixes the latency thresholds and the routes tested.
public struct Baseline: Codable, Sendable, Equatable {
    public var stable: TrackCounts
    public var routes: [String: TrackCounts]
    /// How many analysis intervals the baseline covers (its length ÷ the interval). With a
    /// ``RolloutSchedule`` it gives the traffic per interval from which the plan decides which tests can reach a
    /// promotion decision (``PromotionFeasibility``); nil: every test gates promotion at every step.
    public var intervals: Double?
    /// The length of the window the provider actually counted, in seconds, when it is shorter than the one asked
    /// for (stable had not served that long); nil: the window asked for.
    public var seconds: Double?

    public init(stable: TrackCounts = .zero, routes: [String: TrackCounts] = [:], intervals: Double? = nil) {
        self.stable = stable
        self.routes = routes
        self.intervals = intervals
    }

    /// Adds one more interval of stable traffic.
    public mutating func add(stable counts: TrackCounts, routes routeCounts: [String: TrackCounts] = [:]) {
        stable = stable.adding(counts)
        for (route, counts) in routeCounts {
            routes[route] = (routes[route] ?? .zero).adding(counts)
        }
    }

    /// Adds the stable side of a traffic sample.
    public mutating func add(_ sample: TrafficSample) {
        add(stable: sample.stable, routes: sample.routes.mapValues(\.stable))
    }
}

/// Malformed counts.
public enum CountsError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var message: String {
        switch self { case .invalid(let m): m }
    }
    public var description: String { message }
}
