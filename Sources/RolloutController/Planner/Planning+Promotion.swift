import Foundation
import RolloutAPI

/// After the last step: stable takes the canary's template; once it is available the canary scales to 0.
extension Planning {
    mutating func promoteFully() {
        stepIndex = e.steps.count
        weight = 100
        plan.deployments.append(DeploymentIntent(track: .stable, replicas: e.replicas, run: template(.stable)))
        let stableSettled = input.stable?.isSettled(replicas: e.replicas, hash: e.templateHash) == true
        if routed, !releaseRouteAfterPromotion(stableSettled: stableSettled) { return }
        if stableSettled {
            if (input.canary?.specReplicas ?? 0) > 0 { plan.deployments.append(.scale(.canary, to: 0)) }
            let previous = old.stableVersion ?? "?"
            status.stableTemplateHash = e.templateHash
            status.stableVersion = e.version
            status.canaryTemplateHash = nil
            status.canaryVersion = nil
            recordPromoted(hash: e.templateHash, version: e.version, template: e.template)
            progress = CanaryProgress()
            weight = 0
            phase = .healthy
            message = "version \(e.version) promoted: stable with \(e.replicas) replicas (was \(previous))"
            plan.events.append(PlannedEvent(.normal, "Promoted", message))
            completed = true
        } else {
            phase = .progressing
            let available = input.stable?.available(running: e.templateHash) ?? 0
            message = "promoting \(e.version): stable updated, \(available) of \(e.replicas) replicas available"
        }
    }
}
