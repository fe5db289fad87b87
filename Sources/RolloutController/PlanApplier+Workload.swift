import Kube
import KubeJSON
import RolloutAPI

/// Writes to the Deployment a Rollout's `spec.workloadRef` names: only its `fledge.dev/workload-of` label and
/// `spec.replicas`, in one JSON merge patch guarded by the resourceVersion the plan was made from.
extension PlanApplier {
    /// Labels and sizes the referenced Deployment when it differs from `intent`. True when something was sent.
    func write(_ intent: WorkloadIntent, observed: WorkloadObservation, rollout: Rollout) async throws -> Bool {
        let rolloutName = rollout.metadata.name ?? ""
        let relabel = observed.referencedBy != rolloutName
        let resize = intent.replicas.map { $0 != observed.specReplicas } ?? false
        guard relabel || resize else { return false }
        var patch: JSONValue = ["metadata": ["resourceVersion": .string(observed.resourceVersion),
                                             "labels": [FledgeNames.workloadLabel: .string(rolloutName)]]]
        if resize, let replicas = intent.replicas { patch[path: ["spec", "replicas"]] = .number(Double(replicas)) }
        try await patchWorkload(intent.name, namespace: rollout.metadata.namespace ?? "default", patch, before: observed.resourceVersion)
        return true
    }

    /// Sends one merge patch to a referenced Deployment (after checking the leadership term) and tells the
    /// stale-cache guard.
    func patchWorkload(_ name: String, namespace: String, _ patch: JSONValue, before: String) async throws {
        try term.check()
        let written: DynamicObject = try await client.patch(.deployments, name: name, namespace: namespace, .merge(patch),
                                                            options: WriteOptions(fieldManager: fieldManager))
        remember("deployments", namespace, name, before, written)
    }
}
