import CanaryAnalysis
import CanaryAnalysisPrometheus
import Foundation
import RolloutAPI
import Synchronization

/// Where the controller reads one Rollout's metrics: intervals of both tracks and stable's baseline.
public protocol AnalysisMetrics: Sendable {
    func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample>
    func baseline(for target: AnalysisTarget, from start: Date, to end: Date) async -> MetricReading<Baseline>
}

/// Gives the metrics of a Rollout's analysis settings (its Prometheus address, scrape interval, lag, …).
public protocol AnalysisMetricsSource: Sendable {
    func metrics(for analysis: EffectiveAnalysis) throws -> any AnalysisMetrics
    func shutdown() async
}

extension PrometheusProvider: AnalysisMetrics {}

/// One `PrometheusProvider` per distinct Prometheus configuration, shared by every Rollout that uses it (with
/// namespace confinement on, one per namespace: the enforced matchers are part of the configuration).
public final class PrometheusMetricsSource: AnalysisMetricsSource {
    private struct Key: Hashable {
        var address: String
        var lag: Duration
        var scrapeInterval: Duration
        var joinTargetInfo: Bool
        var enforcedMatchers: [String]
    }
    private let providers = Mutex<[Key: PrometheusProvider]>([:])

    public init() {}

    public func metrics(for analysis: EffectiveAnalysis) throws -> any AnalysisMetrics {
        guard let address = analysis.prometheusAddress, let url = URL(string: address) else {
            throw AnalysisSetupError(message: "no Prometheus address")
        }
        let key = Key(address: address, lag: analysis.lag, scrapeInterval: analysis.scrapeInterval, joinTargetInfo: analysis.joinTargetInfo,
                      enforcedMatchers: analysis.enforcedMatchers.map(\.description))
        if let existing = providers.withLock({ $0[key] }) { return existing }
        var configuration = PrometheusConfiguration(address: url)
        configuration.lag = analysis.lag
        configuration.endTolerance = PrometheusConfiguration.endTolerance(forScrapeInterval: analysis.scrapeInterval)
        configuration.joinTargetInfo = analysis.joinTargetInfo
        configuration.enforcedMatchers = analysis.enforcedMatchers
        let provider = try PrometheusProvider(configuration: configuration)
        let (kept, extra) = providers.withLock { p -> (PrometheusProvider, PrometheusProvider?) in
            if let raced = p[key] { return (raced, provider) }
            p[key] = provider
            return (provider, nil)
        }
        if let extra { Task { await extra.shutdown() } }
        return kept
    }

    public func shutdown() async {
        let all = providers.withLock { p in
            defer { p.removeAll() }
            return Array(p.values)
        }
        for provider in all { await provider.shutdown() }
    }
}

/// The analysis cannot be set up (for example a Prometheus address that is not a URL).
public struct AnalysisSetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
