import Foundation

/// The service whose canary is analysed.
public struct AnalysisTarget: Codable, Sendable, Equatable {
    /// The service name (`service.name`).
    public var service: String
    /// The Kubernetes namespace, when the metrics carry it.
    public var namespace: String?
    public var stableVersion: String?
    public var canaryVersion: String?

    public init(service: String, namespace: String? = nil, stableVersion: String? = nil, canaryVersion: String? = nil) {
        self.service = service
        self.namespace = namespace
        self.stableVersion = stableVersion
        self.canaryVersion = canaryVersion
    }
}

/// A measurement, or the reason there is none. "No data" is never a pass.
public enum MetricReading<Value: Sendable>: Sendable {
    case value(Value)
    case noData(reason: String)

    /// The value, if any.
    public var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// A source of per-interval counts for both tracks (Prometheus, or an in-memory script in tests).
public protocol MetricProvider: Sendable {
    /// Counts of requests completed in `(start, end]` on each track (and per route), and the
    /// user queries' values at `end`.
    func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample>
}
