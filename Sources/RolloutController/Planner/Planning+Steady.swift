import Foundation
import RolloutAPI

/// No canary in flight: the template is stable's.
extension Planning {
    /// Stable at full size, no canary.
    mutating func steady(firstDeploy: Bool) {
        status.stableTemplateHash = e.templateHash
        if firstDeploy || old.stableVersion == nil { status.stableVersion = e.version }
        if firstDeploy || !(status.stableTemplates ?? []).contains(where: { $0.hash == e.templateHash }) {
            // The first template is stable by definition; a template equal to stable's is stable's.
            recordPromoted(hash: e.templateHash, version: status.stableVersion ?? e.version, template: e.template)
        }
        if let abandoned = old.canaryTemplateHash, abandoned != e.templateHash {
            plan.events.append(PlannedEvent(.normal, "CanaryAbandoned",
                                            "the template is back to stable version \(e.version); canary \(old.canaryVersion ?? abandoned) scaled to 0"))
        }
        status.canaryTemplateHash = nil
        status.canaryVersion = nil
        status.canary = nil
        stepIndex = e.steps.count
        weight = 0
        plan.deployments.append(DeploymentIntent(track: .stable, replicas: e.replicas, run: template(.stable)))
        let stableBack = input.stable?.isSettled(replicas: e.replicas, hash: e.templateHash) ?? false
        if routed { releaseRouteToStable(stableBack: stableBack) }
        if let canary = input.canary, canary.specReplicas > 0 {
            // An abandoned canary keeps serving until stable is back at full size (and, with a router, until the
            // route sends it nothing), so capacity never drops to 0.
            if stableBack && routeReleased {
                plan.deployments.append(.scale(.canary, to: 0))
            } else {
                plan.wake(after: .seconds(routed && routeShare == nil ? 10 : 1))
            }
        }
        if let action = newAction() {
            record(action, done: false, "nothing to \(action.verb.rawValue): no canary is in progress")
        }
        if input.stable == nil, old.stableTemplateHash == nil {
            plan.events.append(PlannedEvent(.normal, "StableCreated",
                                            "created Deployment \(FledgeNames.stableDeployment(name)) with version \(e.version), \(e.replicas) replicas"))
        }
        if stableBack {
            phase = .healthy
            message = "version \(status.stableVersion ?? e.version) is stable with \(e.replicas) replicas"
            if old.phase != .healthy || old.stableVersion != status.stableVersion {
                plan.events.append(PlannedEvent(.normal, "Healthy", message))
            }
        } else if input.stable?.deadlineExceeded == true {
            phase = .degraded
            failure = "ProgressDeadlineExceeded"
            message = "stable version \(e.version) did not become available within \(Int(e.progressDeadline.seconds))s"
            if old.condition(.progressing)?.reason != failure {
                plan.events.append(PlannedEvent(.warning, "ProgressDeadlineExceeded", message))
            }
        } else {
            phase = .progressing
            let available = input.stable?.available(running: e.templateHash) ?? 0
            message = "stable version \(e.version): \(available) of \(e.replicas) replicas available"
        }
        if e.paused {
            phase = .paused
            pauseReason = "PausedByUser"
            message = "paused (spec.paused); " + message
        }
    }
}
