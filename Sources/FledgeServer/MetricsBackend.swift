import Metrics
import Prometheus
import Synchronization

/// The Prometheus backend for swift-metrics: a collector registry and a factory writing into it.
///
/// Code under test takes a `MetricsFactory` parameter and gets ``factory``; only the process's main calls
/// ``bootstrapGlobally()``, which installs the factory as the global `MetricsSystem` backend at most once.
public struct MetricsBackend: Sendable {
    /// Histogram buckets in seconds for durations such as `fledge_reconcile_duration_seconds`: 1 ms to 10 s.
    public static let durationBucketsSeconds: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory: `Timer`s become duration histograms and aggregating `Recorder`s value
    /// histograms, both with ``durationBucketsSeconds``; `Counter`s counters; `Gauge`s and `Meter`s gauges.
    public let factory: PrometheusMetricsFactory

    /// Creates a backend over a new (or the given) registry.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBucketsSeconds.map { Self.duration(seconds: $0) }
        factory.defaultValueHistogramBuckets = Self.durationBucketsSeconds
        self.factory = factory
    }

    /// Installs ``factory`` as the global `MetricsSystem` backend. Returns `false` (and changes nothing) if a
    /// `MetricsBackend` already did so in this process; swift-metrics allows a single bootstrap per process.
    @discardableResult
    public func bootstrapGlobally() -> Bool {
        let first = Self.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(factory) }
        return first
    }

    /// Whether some `MetricsBackend` has bootstrapped the global `MetricsSystem` in this process.
    public static var isBootstrapped: Bool { bootstrapped.withLock { $0 } }

    private static let bootstrapped = Mutex(false)

    private static func duration(seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
