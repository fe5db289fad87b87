import CanaryAnalysis
import Foundation

/// A ``MetricProvider`` over the Prometheus HTTP API, reading the OpenTelemetry HTTP server
/// metric (`http_server_request_duration_seconds_count` and `_bucket`).
///
/// Counts are exact: for every series, the difference of its raw counter values at the
/// interval's two ends, with resets handled (never PromQL's extrapolating `increase()`), summed
/// per track, per route and per bucket bound. Each end's value comes from a sample within
/// `endTolerance` of it; when a track has none (Prometheus or the scrape was down then), the
/// interval has no data. Every failure becomes `.noData(reason:)`.
/// See docs/prometheus.md.
public final class PrometheusProvider: MetricProvider {
    public let configuration: PrometheusConfiguration
    private let client: PrometheusAPIClient

    /// Checks the configuration and creates the provider's HTTP client; call ``shutdown()`` when done.
    /// Throws ``PrometheusConfigurationError``.
    public init(configuration: PrometheusConfiguration) throws {
        self.configuration = configuration
        var problems: [String] = []
        if !PromQL.isMetricName(configuration.metric) { problems.append("metric \"\(configuration.metric)\" is not a valid metric name") }
        if !PromQL.isMetricName(configuration.targetInfoMetric) {
            problems.append("targetInfoMetric \"\(configuration.targetInfoMetric)\" is not a valid metric name")
        }
        let labels: [(String, String?)] = [
            ("trackLabel", configuration.trackLabel), ("versionLabel", configuration.versionLabel),
            ("serviceLabel", configuration.serviceLabel), ("namespaceLabel", configuration.namespaceLabel),
            ("routeLabel", configuration.routeLabel), ("statusCodeLabel", configuration.statusCodeLabel),
            ("errorTypeLabel", configuration.errorTypeLabel),
        ]
        for case let (field, name?) in labels where !PromQL.isLabelName(name) {
            problems.append("\(field) \"\(name)\" is not a valid label name")
        }
        if configuration.lag < .zero { problems.append("lag must not be negative") }
        if configuration.endTolerance <= .zero { problems.append("endTolerance must be positive") }
        if configuration.seriesHistory <= .zero { problems.append("seriesHistory must be positive") }
        if let problem = problems.first { throw PrometheusConfigurationError(problem) }
        do {
            client = try PrometheusAPIClient(configuration: configuration)
        } catch {
            throw PrometheusConfigurationError(error.reason)
        }
    }

    /// Counts of requests completed in `(start, end]` on both tracks, in total and per route, and
    /// the user queries' values at `end`; `.noData` with a reason when they cannot be measured.
    public func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
        let fetcher: TrackCountsFetcher
        switch prepare(target, start, end) {
        case .failure(let failure): return .noData(reason: failure.reason)
        case .success(let f): fetcher = f
        }
        async let values = QueryCheckRunner(client: client, target: target, end: end).run(queries)
        let aggregates: [Track: TrafficAggregator]
        do {
            aggregates = try await fetcher.fetch([.stable, .canary])
        } catch {
            _ = await values
            return .noData(reason: error.reason)
        }
        let stable = aggregates[.stable]?.routeCounts ?? [:]
        let canary = aggregates[.canary]?.routeCounts ?? [:]
        var routes: [String: RouteCounts] = [:]
        for route in Set(stable.keys).union(canary.keys) {
            routes[route] = RouteCounts(stable: stable[route] ?? .zero, canary: canary[route] ?? .zero)
        }
        let sample = TrafficSample(
            stable: aggregates[.stable]?.counts ?? .zero, canary: aggregates[.canary]?.counts ?? .zero,
            routes: routes, queries: await values)
        do {
            try sample.validate()
        } catch {
            return .noData(reason: "inconsistent counts from Prometheus: \(error.message)")
        }
        return .value(sample)
    }

    /// Stable's counts in `(start, end]`, in total and per route, for fixing the analysis plan
    /// before the canary starts. Versions: only the target's `stableVersion` is used.
    ///
    /// A stable version that has served for less than the window (a first deploy followed quickly by a new
    /// version, a pod replaced in it) is not covered from the window's start: the window is halved, down to one
    /// end tolerance, until it is (`Baseline.seconds` then says how long it was). Only that failure is tried
    /// again: an unreachable Prometheus, a query error or missing series are answered at once, with their own
    /// reason. Each try is counted exactly as an interval is.
    public func baseline(for target: AnalysisTarget, from start: Date, to end: Date) async -> MetricReading<Baseline> {
        var from = start
        let shortest = configuration.endTolerance / .seconds(1)
        var first: PrometheusFailure?
        while true {
            let length = end.timeIntervalSince(from)
            switch await baselineWindow(for: target, from: from, to: end) {
            case .success(var b):
                if from != start { b.seconds = length }
                return .value(b)
            case .failure(let failure):
                first = first ?? failure
                // The reason of the window asked for, not of the shortest tried.
                guard failure.laterStartMayHelp, length / 2 >= shortest else { return .noData(reason: (first ?? failure).reason) }
                from = end.addingTimeInterval(-length / 2)
            }
        }
    }

    private func baselineWindow(for target: AnalysisTarget, from start: Date, to end: Date) async -> Result<Baseline, PrometheusFailure> {
        let fetcher: TrackCountsFetcher
        switch prepare(target, start, end) {
        case .failure(let failure): return .failure(failure)
        case .success(let f): fetcher = f
        }
        do {
            let aggregates = try await fetcher.fetch([.stable])
            let baseline = Baseline(stable: aggregates[.stable]?.counts ?? .zero, routes: aggregates[.stable]?.routeCounts ?? [:])
            try TrafficSample(stable: baseline.stable, canary: .zero, routes: baseline.routes.mapValues { RouteCounts(stable: $0) })
                .validate()
            return .success(baseline)
        } catch let error as PrometheusFailure {
            return .failure(error)
        } catch {
            return .failure(PrometheusFailure("inconsistent counts from Prometheus: \(error)"))
        }
    }

    /// Releases the HTTP client. The provider must not be used afterwards. (A provider dropped
    /// without it still releases its connections, in the background.)
    public func shutdown() async {
        await client.shutdown()
    }

    /// Checks the interval against the clock and the lag.
    private func prepare(_ target: AnalysisTarget, _ start: Date, _ end: Date, now: Date = Date()) -> Result<TrackCountsFetcher, PrometheusFailure> {
        let startMs = PrometheusAPIClient.milliseconds(start)
        let endMs = PrometheusAPIClient.milliseconds(end)
        guard endMs > startMs else {
            return .failure(PrometheusFailure("the interval is empty: its end (\(CountingWindow.iso(endMs))) is not after its start (\(CountingWindow.iso(startMs)))"))
        }
        let lagMs = CountingWindow.milliseconds(configuration.lag)
        let nowMs = PrometheusAPIClient.milliseconds(now)
        guard endMs <= nowMs - lagMs else {
            return .failure(PrometheusFailure(
                "the interval ends at \(CountingWindow.iso(endMs)), less than the lag (\(configuration.lag)) ago, so its last scrape may not have landed; wait until \(CountingWindow.iso(endMs + lagMs)) and ask again"))
        }
        let window = CountingWindow(startMs: startMs, endMs: endMs, configuration: configuration)
        return .success(TrackCountsFetcher(client: client, configuration: configuration, target: target, end: end, window: window))
    }
}
