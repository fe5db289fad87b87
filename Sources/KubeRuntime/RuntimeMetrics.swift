/// Hooks through which the runtime reports what it does. Every method has an empty
/// default, so an implementation overrides only what it records. swift-metrics (or a
/// test recorder) is plugged in here; the runtime itself depends on no metrics library.
public protocol RuntimeMetrics: Sendable {
    /// The number of keys waiting in the named queue (not counting delayed or in-flight keys).
    func queueDepth(queue: String, depth: Int)
    /// A key was put back on the named queue with backoff after a failure.
    func retried(queue: String)
    /// One reconcile finished, with its duration and outcome.
    func reconciled(controller: String, duration: Duration, outcome: ReconcileOutcome)
}

extension RuntimeMetrics {
    public func queueDepth(queue: String, depth: Int) {}
    public func retried(queue: String) {}
    public func reconciled(controller: String, duration: Duration, outcome: ReconcileOutcome) {}
}

/// How a reconcile ended, for metrics.
public enum ReconcileOutcome: String, Sendable, Hashable {
    case success
    case requeue
    case error
}

/// Metrics that record nothing.
public struct NoMetrics: RuntimeMetrics {
    public init() {}
}
