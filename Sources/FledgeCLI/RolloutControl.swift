import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// What the control commands may ask of a Rollout in its current state, and the writes they make: the
/// `fledge.dev/action` annotation and `spec.paused`, each by a JSON merge patch of the Rollout (never of status).
public enum RolloutControl {
    /// Why `verb` cannot be asked of the Rollout now, or nil when it can.
    public static func refusal(_ verb: RolloutAction.Verb, for rollout: Rollout) -> String? {
        let name = rollout.metadata.name ?? ""
        let status = rollout.status
        guard let status, status.canaryTemplateHash != nil, status.phase != .healthy else {
            let phase = status?.phase?.rawValue ?? "not yet reconciled"
            let version = status?.stableVersion.map { " at version \($0)" } ?? ""
            return "no canary in progress: rollout \"\(name)\" is \(phase)\(version) (status.canaryTemplateHash is unset); "
                + "nothing to \(verb == .promoteFull ? "promote" : verb.rawValue)"
        }
        let canary = status.canaryVersion ?? status.canaryTemplateHash ?? "?"
        switch (verb, status.canary?.aborted) {
        case (.retry, nil):
            return "nothing to retry: canary \(canary) of rollout \"\(name)\" is not stopped (it was neither aborted nor rolled back)"
        case (.promote, let stopped?), (.promoteFull, let stopped?):
            return "canary \(canary) of rollout \"\(name)\" is stopped (\(stopped.reason): \(stopped.message)); "
                + "retry it first: kubectl fledge retry \(name)"
        case (.abort, let stopped?):
            return "canary \(canary) of rollout \"\(name)\" is already stopped (\(stopped.reason): \(stopped.message))"
        case (.reanalyze, let stopped?):
            return "canary \(canary) of rollout \"\(name)\" is stopped (\(stopped.reason): \(stopped.message)); "
                + "retry it first: kubectl fledge retry \(name)"
        default:
            return nil
        }
    }

    /// The merge patch that asks for an action.
    public static func actionPatch(_ action: RolloutAction) -> JSONValue {
        ["metadata": ["annotations": [FledgeNames.actionAnnotation: .string(action.annotationValue)]]]
    }

    /// The merge patch that pauses or resumes.
    public static func pausePatch(_ paused: Bool) -> JSONValue {
        ["spec": ["paused": .bool(paused)]]
    }

    /// What the controller will do, for the message after the write.
    public static func effect(of verb: RolloutAction.Verb, on rollout: Rollout) -> String {
        let status = rollout.status
        let steps = RolloutView.effectiveSteps(of: rollout) ?? []
        let index = status?.currentStepIndex ?? 0
        let canary = status?.canaryVersion ?? "the canary"
        let step = index < steps.count ? "step \(index + 1) of \(steps.count) (\(steps[index]))" : "the last step"
        switch verb {
        case .promote: return "the controller finishes \(step) and goes on"
        case .promoteFull:
            let left = max(0, steps.count - index)
            return "the controller skips the remaining \(left) step\(left == 1 ? "" : "s") and promotes \(canary) fully"
        case .abort: return "the controller stops \(canary): the canary scales to 0 and stable takes all traffic"
        case .retry: return "the controller starts \(canary) again from step 1 with fresh evidence"
        case .reanalyze: return "the controller runs the analysis window of \(step) again on fresh data (the evidence so far is kept)"
        }
    }

    /// Why the Rollout is held at its step until an action, when it is (an inconclusive window, a metrics outage, a
    /// contested route): `resume` then asks for `reanalyze`, since `spec.paused` is not what holds it.
    public static func heldAtStep(_ rollout: Rollout) -> HoldReason? {
        guard let status = rollout.status, status.canaryTemplateHash != nil, status.canary?.aborted == nil else { return nil }
        return status.canary?.hold.flatMap(HoldReason.init(rawValue:))
    }
}
