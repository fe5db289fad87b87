import Foundation
import RolloutAPI

/// The projection of a pass into status: phase, message, conditions, weights.
extension Planning {
    mutating func finish() -> Plan {
        clampRouteToCapacity()
        let canaryHash = status.canaryTemplateHash
        let canaryAvailable = canaryHash.flatMap { input.canary?.available(running: $0) } ?? 0
        let stableAvailable = input.stable?.availableReplicas ?? 0
        status.phase = phase
        status.message = message
        status.currentStepIndex = stepIndex
        status.canaryWeight = weight
        status.trafficRoute = e.routing.route.map(RouteRecord.init)
        // The scale subresource's view: every pod of both tracks, and the selector that finds them.
        status.replicas = (input.stable?.totalReplicas ?? 0) + (input.canary?.totalReplicas ?? 0)
        status.selector = e.selector.text
        if routed {
            status.actualCanaryWeight = routeAfter.map(Double.init)
        } else {
            status.actualCanaryWeight = completed || canaryHash == nil ? 0
                : ReplicaSplit.actualWeight(canary: canaryAvailable, stable: stableAvailable) ?? 0
        }
        if canaryHash != nil, !completed {
            status.canary = progress
            // The route watch wakes the Rollout when its route changes; while a canary is in flight it is also read
            // again every minute, in case the watch cannot run (no list/watch permission, another namespace). A
            // stopped canary whose route already sends it nothing is left to the resync.
            if routed, progress.aborted == nil || routeShare != 0 { plan.wake(after: Planning.routeRecheck) }
        } else {
            status.canary = nil
        }
        var c = StatusConditions(conditions: status.conditions ?? [], now: now, generation: status.observedGeneration)
        c.remove(.invalidSpec)
        reportRoute(&c)
        reportMetrics(&c)
        let total = stableAvailable + canaryAvailable
        let needed = max(1, e.replicas * 3 / 4)
        c.set(.available, e.replicas == 0 || total >= needed, reason: total >= needed ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
              message: canaryAvailable > 0 ? "\(stableAvailable) stable and \(canaryAvailable) canary replicas available (spec.replicas \(e.replicas))"
                  : "\(total) of \(e.replicas) replicas available")
        if let failure {
            c.set(.progressing, false, reason: failure, message: message)
        } else if phase == .healthy {
            c.set(.progressing, false, reason: "Completed", message: message)
        } else if phase == .paused {
            c.set(.progressing, nil, reason: "Paused", message: message)
        } else {
            c.set(.progressing, true, reason: canaryHash == nil ? "StableProgressing" : "CanaryProgressing", message: message)
        }
        c.set(.paused, phase == .paused, reason: pauseReason ?? "NotPaused", message: phase == .paused ? message : "")
        let isCompleted = phase == .healthy || (phase == .paused && canaryHash == nil && status.stableTemplateHash == e.templateHash
                                                && input.stable?.isSettled(replicas: e.replicas, hash: e.templateHash) == true)
        c.set(.completed, isCompleted, reason: isCompleted ? "RolloutCompleted" : (failure ?? "InProgress"),
              message: isCompleted ? "version \(status.stableVersion ?? e.version) is fully promoted" : message)
        status.conditions = c.conditions
        plan.status = status
        // Later intents for a track supersede earlier ones (a step that advanced, a stop).
        var latest: [Track: DeploymentIntent] = [:]
        for intent in plan.deployments { latest[intent.track] = intent }
        plan.deployments = [Track.stable, .canary].compactMap { latest[$0] }
        return plan
    }

    /// MetricsAvailable: False while the analysis is held for missing data (or stable's baseline cannot be read),
    /// True while an analysis runs with data; absent when no analysis is in flight.
    func reportMetrics(_ c: inout StatusConditions) {
        guard status.canaryTemplateHash != nil, !completed, let analysis = progress.analysis else {
            c.remove(.metricsAvailable)
            return
        }
        if let outage = analysis.outage {
            c.set(.metricsAvailable, false, reason: outage.reason, message: "no data since \(outage.since): \(outage.message)")
        } else if analysis.state != nil {
            c.set(.metricsAvailable, true, reason: "IntervalsHaveData", message: "the analysis reads both tracks' metrics")
        }
    }
}
