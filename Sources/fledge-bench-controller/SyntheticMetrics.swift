import BenchSupport
import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import RolloutAPI
import RolloutController
import Synchronization

/// An in-memory ``AnalysisMetricsSource`` standing in for Prometheus: every Rollout gets Poisson request counts per
/// interval on both tracks (1% errors, the same lognormal latency), deterministic per (Rollout, interval end). A
/// canary made bad at an instant gets ten times the error rate for every interval ending after it.
///
/// It records when each interval's sample was returned to the controller (the decision follows at once), keyed
/// by Rollout and interval end as `status.lastAnalysis.time` writes it (whole seconds).
final class SyntheticMetricsSource: AnalysisMetricsSource, AnalysisMetrics {
    /// Requests per track per interval (mean) and the healthy error rate.
    let requestsPerInterval: Double
    let errorRate = 0.01
    let badFactor = 10.0

    struct Returned: Sendable {
        var first: Int64
        var calls: Int
        /// The interval's exact end, and whether its canary counts were the bad ones.
        var end: Date
        var bad: Bool
    }

    private struct State {
        var returned: [String: Returned] = [:]
        var samples: [String: Int] = [:]
        var baselines = 0
        var badAt: [String: Date] = [:]
        var recording = false
    }
    private let state = Mutex(State())

    init(requestsPerInterval: Double) {
        self.requestsPerInterval = requestsPerInterval
    }

    func metrics(for analysis: EffectiveAnalysis) throws -> any AnalysisMetrics { self }
    func shutdown() async {}

    static func key(_ target: AnalysisTarget) -> String { "\(target.namespace ?? "default")/\(target.service)" }
    static func intervalKey(_ rollout: String, _ end: Date) -> String { "\(rollout)|\(Timestamps.seconds(end))" }

    /// From now on, intervals of `rollout` (`namespace/name`) ending after `instant` are bad.
    func makeBad(_ rollout: String, at instant: Date) {
        state.withLock { $0.badAt[rollout] = instant }
    }

    /// Start (or stop) recording when samples are returned; starting clears earlier records.
    func record(_ on: Bool) {
        state.withLock { s in
            s.recording = on
            if on { s.returned = [:]; s.samples = [:] }
        }
    }

    /// Samples returned per Rollout since recording started.
    func sampleCount(_ rollout: String) -> Int { state.withLock { $0.samples[rollout] ?? 0 } }

    var returned: [String: Returned] { state.withLock { $0.returned } }

    func baseline(for target: AnalysisTarget, from start: Date, to end: Date) async -> MetricReading<Baseline> {
        state.withLock { $0.baselines += 1 }
        var g = SeededGenerator(seed: Self.seed("baseline", Self.key(target), end))
        return .value(Baseline(stable: counts(&g, mean: requestsPerInterval * 12, errorRate: errorRate)))
    }

    func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
        let key = Self.key(target)
        let bad = state.withLock { $0.badAt[key] }.map { end > $0 } ?? false
        var g = SeededGenerator(seed: Self.seed("sample", key, end))
        let stable = counts(&g, mean: requestsPerInterval, errorRate: errorRate)
        let canary = counts(&g, mean: requestsPerInterval, errorRate: bad ? errorRate * badFactor : errorRate)
        let sample = TrafficSample(stable: stable, canary: canary)
        let now = Nanos.now()
        state.withLock { s in
            guard s.recording else { return }
            s.samples[key, default: 0] += 1
            s.returned[Self.intervalKey(key, end), default: Returned(first: now, calls: 0, end: end, bad: bad)].calls += 1
        }
        return .value(sample)
    }

    /// OpenTelemetry's default `http.server.request.duration` bucket bounds, in seconds.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, .infinity]
    /// Share of requests in each bucket for a lognormal latency (median 50 ms, σ 0.6).
    static let bucketShares: [Double] = {
        func cdf(_ x: Double) -> Double { x.isInfinite ? 1 : 0.5 * (1 + erf((log(x) - log(0.05)) / (0.6 * 2.0.squareRoot()))) }
        var previous = 0.0
        return bounds.map { b in
            let c = cdf(b)
            defer { previous = c }
            return c - previous
        }
    }()

    private func counts(_ g: inout SeededGenerator, mean: Double, errorRate: Double) -> TrackCounts {
        var cumulative: [Int] = []
        var total = 0
        for share in Self.bucketShares {
            total += g.poisson(mean * share)
            cumulative.append(total)
        }
        let errors = min(total, g.poisson(Double(total) * errorRate))
        return TrackCounts(requests: total, errors: errors, latency: LatencyHistogram(bounds: Self.bounds, counts: cumulative))
    }

    /// FNV-1a over the parts: the same Rollout and interval always get the same counts.
    static func seed(_ kind: String, _ key: String, _ end: Date) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(kind)|\(key)|\(Int64((end.timeIntervalSince1970 * 1000).rounded()))".utf8 {
            h ^= UInt64(byte)
            h &*= 0x100_0000_01b3
        }
        return h
    }
}
