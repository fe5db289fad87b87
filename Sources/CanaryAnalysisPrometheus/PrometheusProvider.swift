import CanaryAnalysis
import Foundation

/// A ``MetricProvider`` over the Prometheus HTTP API. (Skeleton: being implemented.)
public final class PrometheusProvider: MetricProvider {
    public let configuration: PrometheusConfiguration

    public init(configuration: PrometheusConfiguration) throws {
        self.configuration = configuration
    }

    public func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
        .noData(reason: "not implemented yet")
    }

    /// Releases the HTTP client.
    public func shutdown() async {}
}
