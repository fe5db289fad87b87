import CanaryAnalysis
import Foundation

/// Fetches the raw `_count` and `_bucket` series of one interval, attributes each to a track
/// and sums them with ``TrafficAggregator``.
///
/// Each metric is read with one range selector per track (or, with `joinTargetInfo`, per job)
/// evaluated at the interval's end, reaching back the window's history before its start: the
/// samples near the start that the counts start from, and the older ones that tell a new series
/// from one with a gap (see ``CounterMath``).
struct TrackCountsFetcher: Sendable {
    let client: PrometheusAPIClient
    let configuration: PrometheusConfiguration
    let target: AnalysisTarget
    let end: Date
    let window: CountingWindow

    /// One range query to run, and what its series are for.
    private struct Job: Sendable {
        var promql: String
        var isBucket: Bool
        /// In label mode the track the query selects; nil in join mode.
        var track: Track?
        var context: String
    }

    /// Aggregates per track; fails with a reason when a query fails, a track has no sample near one of
    /// the interval's ends, or one of its series cannot be counted (see ``TrafficAggregator``).
    func fetch(_ tracks: [Track]) async throws(PrometheusFailure) -> [Track: TrafficAggregator] {
        var attribution: [String: Track] = [:]  // join mode: "job\0instance" → track
        var jobs: [Job] = []
        let countMetric = configuration.metric + "_count"
        let bucketMetric = configuration.metric + "_bucket"
        if configuration.joinTargetInfo {
            attribution = try await targetInfo(tracks)
            let jobNames = Set(attribution.keys.compactMap { $0.split(separator: "\0", omittingEmptySubsequences: false).first.map(String.init) })
            for name in jobNames.sorted() {
                let matchers = [PromQL.equals("job", name)]
                jobs.append(Job(promql: PromQL.range(PromQL.selector(countMetric, matchers), milliseconds: window.rangeMs),
                                isBucket: false, track: nil, context: "reading \(countMetric) of job \"\(name)\""))
                jobs.append(Job(promql: PromQL.range(PromQL.selector(bucketMetric, matchers), milliseconds: window.rangeMs),
                                isBucket: true, track: nil, context: "reading \(bucketMetric) of job \"\(name)\""))
            }
        } else {
            for track in tracks {
                let matchers = labelMatchers(track)
                jobs.append(Job(promql: PromQL.range(PromQL.selector(countMetric, matchers), milliseconds: window.rangeMs),
                                isBucket: false, track: track, context: "counting \(track) requests (\(countMetric))"))
                jobs.append(Job(promql: PromQL.range(PromQL.selector(bucketMetric, matchers), milliseconds: window.rangeMs),
                                isBucket: true, track: track, context: "reading the \(track) latency histogram (\(bucketMetric))"))
            }
        }

        let results = await run(jobs)
        var counts: [Track: [RawSeries]] = [:]
        var buckets: [Track: [RawSeries]] = [:]
        for (job, result) in zip(jobs, results) {
            let series: [RawSeries]
            switch result {
            case .failure(let failure): throw failure.prefixed(job.context)
            case .success(.matrix(let s)): series = s
            case .success(let other): throw PrometheusFailure("\(job.context): expected a range vector, got a \(other.kind)")
            }
            for s in series {
                let track: Track?
                if let selected = job.track {
                    track = matchesLabels(s.labels, track: selected) ? selected : nil
                } else {
                    track = attribution[key(s.labels)]
                }
                guard let track, tracks.contains(track) else { continue }
                if job.isBucket { buckets[track, default: []].append(s) } else { counts[track, default: []].append(s) }
            }
        }
        var aggregators: [Track: TrafficAggregator] = [:]
        for track in tracks {
            var aggregator = TrafficAggregator(
                routeLabel: configuration.routeLabel, statusCodeLabel: configuration.statusCodeLabel,
                errorTypeLabel: configuration.errorTypeLabel, window: window)
            try aggregator.add(counts: counts[track] ?? [], buckets: buckets[track] ?? [], track: describe(track), metric: configuration.metric)
            aggregators[track] = aggregator
        }
        return aggregators
    }

    /// The matchers selecting one track's series in label mode.
    private func labelMatchers(_ track: Track) -> [String] {
        var matchers = [PromQL.equals(configuration.serviceLabel, target.service)]
        if let label = configuration.namespaceLabel, let namespace = target.namespace {
            matchers.append(PromQL.equals(label, namespace))
        }
        matchers.append(PromQL.equals(configuration.trackLabel, track.rawValue))
        if let label = configuration.versionLabel, let version = version(of: track) {
            matchers.append(PromQL.equals(label, version))
        }
        return matchers
    }

    /// Checks, on the client too, that a series carries exactly the labels its query selected.
    private func matchesLabels(_ labels: [String: String], track: Track) -> Bool {
        guard labels[configuration.serviceLabel] == target.service, labels[configuration.trackLabel] == track.rawValue else {
            return false
        }
        if let label = configuration.namespaceLabel, let namespace = target.namespace, labels[label] != namespace { return false }
        if let label = configuration.versionLabel, let version = version(of: track), labels[label] != version { return false }
        return true
    }

    /// Join mode: which (job, instance) serves which track during the interval, from `target_info`
    /// samples in the same reach as the counts' ends, `[start − tolerance, end]`: an instance with no
    /// `target_info` there has no sample near either end or inside the interval, so none of its
    /// series could be counted anyway.
    private func targetInfo(_ tracks: [Track]) async throws(PrometheusFailure) -> [String: Track] {
        var matchers = [PromQL.equals(configuration.serviceLabel, target.service)]
        if let label = configuration.namespaceLabel, let namespace = target.namespace {
            matchers.append(PromQL.equals(label, namespace))
        }
        let context = "reading \(configuration.targetInfoMetric) for the track of each instance"
        let promql = PromQL.range(PromQL.selector(configuration.targetInfoMetric, matchers), milliseconds: window.endsRangeMs)
        let result: QueryResult
        do { result = try await client.query(promql, at: end) } catch { throw error.prefixed(context) }
        guard case .matrix(let series) = result else {
            throw PrometheusFailure("\(context): expected a range vector, got a \(result.kind)")
        }
        var latest: [String: (track: Track, at: Int64)] = [:]
        for s in series {
            guard let name = s.labels[configuration.trackLabel], let track = Track(rawValue: name), tracks.contains(track),
                  s.labels["job"] != nil, s.labels["instance"] != nil
            else { continue }
            if let label = configuration.versionLabel, let version = version(of: track), s.labels[label] != version { continue }
            let at = s.samples.map(\.timestampMs).max() ?? .min
            let k = key(s.labels)
            if let existing = latest[k], existing.at > at { continue }
            latest[k] = (track, at)
        }
        for track in tracks where !latest.values.contains(where: { $0.track == track }) {
            throw PrometheusFailure("no \(configuration.targetInfoMetric) series for \(describe(track)) between \(CountingWindow.iso(window.startMs - window.toleranceMs)) and \(CountingWindow.iso(window.endMs))")
        }
        return latest.mapValues(\.track)
    }

    private func run(_ jobs: [Job]) async -> [Result<QueryResult, PrometheusFailure>] {
        await withTaskGroup(of: (Int, Result<QueryResult, PrometheusFailure>).self) { group in
            for (i, job) in jobs.enumerated() {
                group.addTask {
                    (i, await client.result(job.promql, at: end))
                }
            }
            var results = [Result<QueryResult, PrometheusFailure>](repeating: .failure(PrometheusFailure("not run")), count: jobs.count)
            for await (i, result) in group { results[i] = result }
            return results
        }
    }

    private func key(_ labels: [String: String]) -> String {
        (labels["job"] ?? "") + "\0" + (labels["instance"] ?? "")
    }

    private func version(of track: Track) -> String? {
        track == .stable ? target.stableVersion : target.canaryVersion
    }

    /// "service "shop" track canary version "2.0"" for messages.
    func describe(_ track: Track) -> String {
        var text = "service \"\(target.service)\""
        if configuration.namespaceLabel != nil, let namespace = target.namespace { text += " namespace \"\(namespace)\"" }
        text += " track \(track)"
        if configuration.versionLabel != nil, let version = version(of: track) { text += " version \"\(version)\"" }
        return text
    }
}
