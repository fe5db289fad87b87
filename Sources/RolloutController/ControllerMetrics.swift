import CanaryAnalysis
import Foundation
import KubeRuntime
import Metrics
import RolloutAPI

/// The controller's metrics through the swift-metrics API (the process picks the backend):
/// `fledge_rollout_phase{namespace,rollout,phase}` (1 for the current phase, 0 for the others),
/// `fledge_rollout_canary_weight{namespace,rollout}`, `fledge_rollout_actual_canary_weight{namespace,rollout}`,
/// `fledge_reconcile_duration_seconds`, `fledge_analysis_decisions_total{outcome}`, and the work queue's
/// `fledge_workqueue_depth{queue}` and `fledge_workqueue_retries_total{queue}`.
public struct ControllerMetrics: RuntimeMetrics {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    public func rollout(namespace: String, name: String, status: RolloutStatus) {
        for phase in RolloutPhase.allCases {
            Gauge(label: "fledge_rollout_phase", dimensions: [("namespace", namespace), ("rollout", name), ("phase", phase.rawValue)],
                  factory: factory).record(status.phase == phase ? 1 : 0)
        }
        Gauge(label: "fledge_rollout_canary_weight", dimensions: [("namespace", namespace), ("rollout", name)], factory: factory)
            .record(status.canaryWeight ?? 0)
        Gauge(label: "fledge_rollout_actual_canary_weight", dimensions: [("namespace", namespace), ("rollout", name)], factory: factory)
            .record(status.actualCanaryWeight ?? 0)
    }

    /// A Rollout is gone: its gauges read 0.
    public func forget(namespace: String, name: String) {
        rollout(namespace: namespace, name: name, status: RolloutStatus())
    }

    public func decision(_ outcome: Decision.Outcome) {
        Counter(label: "fledge_analysis_decisions_total", dimensions: [("outcome", outcome.rawValue)], factory: factory).increment()
    }

    public func queueDepth(queue: String, depth: Int) {
        Gauge(label: "fledge_workqueue_depth", dimensions: [("queue", queue)], factory: factory).record(depth)
    }

    public func retried(queue: String) {
        Counter(label: "fledge_workqueue_retries_total", dimensions: [("queue", queue)], factory: factory).increment()
    }

    public func reconciled(controller: String, duration: Duration, outcome: ReconcileOutcome) {
        Metrics.Timer(label: "fledge_reconcile_duration_seconds", dimensions: [("controller", controller), ("outcome", outcome.rawValue)],
                      factory: factory)
            .recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
