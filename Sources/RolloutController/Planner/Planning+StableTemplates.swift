import Foundation
import KubeJSON
import RolloutAPI

/// The templates promoted to stable, kept in status (``RolloutStatus/stableTemplates``).
///
/// Why status: it is written in the same resourceVersion-guarded patch that records the promotion, so the record
/// and the promotion can never disagree; it survives the deletion of `<name>-stable` (whose own template goes with
/// it); it needs no other object, no other permission and no other cache. A pod template is a few kilobytes, and
/// three are kept.
extension Planning {
    /// The hash stable runs, as recorded (or, before any record, as the stable Deployment says).
    var stableHash: String? { old.stableTemplateHash ?? input.stable?.templateHash }

    /// The stored template of the hash stable should run, decorated for the stable track.
    var stableRun: DeploymentIntent.Template? {
        guard let hash = stableHash, let record = (status.stableTemplates ?? []).first(where: { $0.hash == hash }) else { return nil }
        return DeploymentIntent.Template(
            hash: record.hash, version: record.version,
            podTemplate: TemplateDecorator.decorate(record.template, rollout: name, track: .stable, version: record.version))
    }

    /// Stable as it must be while a canary is in flight or stopped: `replicas` pods of the stable template. The
    /// template is written only when the Deployment is missing or runs another one (an abort during full
    /// promotion); otherwise it is only scaled.
    func stableIntent(replicas: Int) -> DeploymentIntent {
        if input.stable == nil || input.stable?.templateHash != stableHash, let run = stableRun {
            return DeploymentIntent(track: .stable, replicas: replicas, run: run)
        }
        return .scale(.stable, to: replicas)
    }

    /// Stable serves at least `replicas` available pods of the stable template.
    func stableServes(_ replicas: Int) -> Bool {
        guard let stable = input.stable, stable.templateHash == stableHash else { return false }
        return stable.available(running: stableHash) >= max(1, replicas)
    }

    /// Upgrade path: a Rollout written by an older controller has no stored template; the stable Deployment's own
    /// (decorated) template is stored the first time it is seen running the stable hash.
    mutating func rememberStableTemplate() {
        guard let hash = stableHash, !(status.stableTemplates ?? []).contains(where: { $0.hash == hash }),
              let stable = input.stable, stable.templateHash == hash, let template = stable.podTemplate else { return }
        keep(PromotedTemplate(hash: hash, version: old.stableVersion ?? e.version, template: template, promotedAt: nil))
    }

    /// Records a template that became stable (newest first, at most ``PromotedTemplate/kept``).
    mutating func recordPromoted(hash: String, version: String, template: JSONValue) {
        keep(PromotedTemplate(hash: hash, version: version, template: template, promotedAt: Timestamps.seconds(now)))
    }

    private mutating func keep(_ record: PromotedTemplate) {
        var list = (status.stableTemplates ?? []).filter { $0.hash != record.hash }
        list.insert(record, at: 0)
        status.stableTemplates = Array(list.prefix(PromotedTemplate.kept))
    }

    /// The stable Deployment is gone (deleted, or relabelled so the cache no longer sees it) while a canary is in
    /// flight or stopped: it is recreated from the stored template and everything else is held; the canary keeps
    /// its pods and its traffic until stable can serve again. Without a stored template nothing can be recreated:
    /// the Rollout is held with a Warning, and never promotes the canary in its place.
    mutating func holdForMissingStable() {
        let replicas = progress.aborted != nil || routed ? e.replicas : split.stable
        progress.analysis?.lastIntervalEnd = nil
        phase = .degraded
        failure = "StableMissing"
        plan.deployments.append(.scale(.canary, to: max(input.canary?.specReplicas ?? 0, routed ? routedSplit.canary : split.canary)))
        if let run = stableRun {
            plan.deployments.append(DeploymentIntent(track: .stable, replicas: replicas, run: run))
            message = "Deployment \(FledgeNames.stableDeployment(name)) is missing: recreating it with stable version \(run.version) (\(replicas) replicas); the canary keeps its traffic until stable is available"
        } else {
            message = "Deployment \(FledgeNames.stableDeployment(name)) is missing and this Rollout has no stored template for stable version \(old.stableVersion ?? "?") (written by an older controller): nothing is promoted in its place; set spec.template back to the stable version, or promote the canary with `kubectl fledge promote --full`"
        }
        if old.condition(.progressing)?.reason != "StableMissing" {
            plan.events.append(PlannedEvent(.warning, "StableMissing", message))
        }
        plan.wake(after: .seconds(5))
    }
}
