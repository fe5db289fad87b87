import RolloutAPI

/// `spec.workloadRef`: the Rollout runs an existing Deployment's template, and takes the Deployment's pods away as
/// its own become available (by `scaleDown`), so the two together never serve with fewer than `spec.replicas`.
extension Planning {
    /// Labels the referenced Deployment as this Rollout's, records it in status, and sizes it by the policy:
    /// - `never`: its size is left alone;
    /// - `onsuccess`: 0 once the Rollout's pods are all available;
    /// - `progressively`: `replicas − available pods of the Rollout`, never raised (a pod the Rollout gained is one
    ///   the Deployment may lose: old + new available stays at least `replicas` at every instant).
    mutating func planWorkload() {
        guard let w = e.workload, let observed = input.workload else {
            status.workload = nil
            return
        }
        let recorded = old.workload?.name == w.name ? old.workload : nil
        var record = WorkloadStatus(name: w.name, replicas: recorded?.replicas ?? observed.specReplicas, scaledDown: recorded?.scaledDown)
        if recorded == nil {
            plan.events.append(PlannedEvent(.normal, "WorkloadReferenced",
                                            "running the template of Deployment \(w.name) (\(observed.specReplicas) replicas, scaleDown \(w.scaleDown.rawValue))"))
        }
        let serving = (input.stable?.availableReplicas ?? 0) + (input.canary?.availableReplicas ?? 0)
        var target: Int?
        switch w.scaleDown {
        case .never:
            target = nil
        case .onsuccess:
            if record.scaledDown == true || serving >= e.replicas { target = 0 }
        case .progressively:
            target = min(observed.specReplicas, max(0, e.replicas - serving))
        }
        plan.workload = WorkloadIntent(name: w.name, replicas: target)
        if let target, target == 0 {
            if record.scaledDown != true {
                plan.events.append(PlannedEvent(.normal, "WorkloadScaledDown",
                                                "Deployment \(w.name) scaled to 0: its traffic is served by the Rollout's \(serving) available pods"))
            }
            record.scaledDown = true
        } else if let target, target < observed.specReplicas {
            message += "; Deployment \(w.name) scaled from \(observed.specReplicas) to \(target) as the Rollout's pods become available"
        } else if w.scaleDown != .never, record.scaledDown != true {
            message += "; Deployment \(w.name) keeps its \(observed.specReplicas) pods until the Rollout's are available"
        }
        status.workload = record
    }

    /// The referenced Deployment already belongs to another Rollout (its `fledge.dev/workload-of` label names it).
    var workloadConflict: String? {
        guard let w = e.workload, let by = input.workload?.referencedBy, by != name else { return nil }
        return "Deployment \(w.name) is already run by Rollout \(by) (label \(FledgeNames.workloadLabel)); Fledge will not take it "
            + "over twice (point spec.workloadRef at another Deployment, or delete Rollout \(by))"
    }
}
