import Foundation
import Kube
import RolloutAPI

/// A spec that cannot be acted on. With no canary in flight nothing owned is touched. With one, the canary is held
/// where it is (no step, no analysis) for the controller's progress deadline, counted from when the spec turned
/// invalid, so a quick fix carries on; after that the canary is rolled back with reason `InvalidSpec`: its traffic
/// never rests on it forever, and it is never promoted.
struct InvalidSpecPlanning {
    let input: PlanInput
    let invalid: InvalidRolloutSpec
    var status: RolloutStatus

    init(input: PlanInput, invalid: InvalidRolloutSpec, status: RolloutStatus) {
        self.input = input
        self.invalid = invalid
        self.status = status
    }

    func plan() -> Plan {
        var status = status
        let now = input.now
        let message = "invalid spec: \(invalid.description)"
        let old = input.rollout.status ?? RolloutStatus()
        var conditions = StatusConditions(conditions: status.conditions ?? [], now: now, generation: status.observedGeneration)
        let previous = old.condition(.invalidSpec)
        conditions.set(.invalidSpec, true, reason: "InvalidSpec", message: message)
        var plan = Plan(status: status)
        if previous?.status != "True" || previous?.message != message {
            plan.events.append(PlannedEvent(.warning, "InvalidSpec", message))
        }
        status.phase = .degraded
        status.message = message
        let canaryPods = input.canary?.specReplicas ?? 0
        if var progress = old.canary, old.canaryTemplateHash != nil, canaryPods > 0 || (input.route?.canaryShare ?? 0) > 0 {
            let since = previous?.status == "True" ? Timestamps.parse(previous?.lastTransitionTime) ?? now : now
            let deadline = since.addingTimeInterval(input.defaults.progressDeadline.seconds)
            if progress.aborted == nil, now < deadline {
                status.message = "\(message); the canary is held at weight \(old.canaryWeight ?? 0)% (no step, no analysis) until \(Timestamps.seconds(deadline)), then rolled back"
                progress.analysis?.lastIntervalEnd = nil
                plan.wake(at: deadline, now: now)
            } else {
                if progress.aborted == nil {
                    let text = "canary \(old.canaryVersion ?? "?") rolled back: the spec stayed invalid for \(Int(input.defaults.progressDeadline.seconds))s (\(invalid.description))"
                    progress.aborted = AbortRecord(reason: StopReason.invalidSpec.rawValue, message: text, time: Timestamps.seconds(now))
                    progress.hold = nil
                    plan.events.append(PlannedEvent(.warning, StopReason.invalidSpec.eventReason, text))
                }
                retreat(&plan)
                status.message = "\(message); canary rolled back"
                status.canaryWeight = 0
            }
            status.canary = progress
            conditions.set(.progressing, false, reason: "InvalidSpec", message: status.message ?? message)
        }
        status.conditions = conditions.conditions
        plan.status = status
        return plan
    }

    /// Traffic back to stable without a usable spec: the route to 0 first (read back before the canary shrinks),
    /// stable sized from what runs now, the canary to 0 once stable serves.
    func retreat(_ plan: inout Plan) {
        let routed = input.route != nil
        let stablePods = input.stable?.specReplicas ?? 0
        let canaryPods = input.canary?.specReplicas ?? 0
        let total = routed ? stablePods : stablePods + canaryPods
        if routed, input.route?.canaryShare != 0 {
            plan.routeWeight = 0
            plan.wake(after: .seconds(1))
            return
        }
        plan.deployments.append(.scale(.stable, to: total))
        if (input.stable?.availableReplicas ?? 0) >= 1 {
            plan.deployments.append(.scale(.canary, to: 0))
        } else {
            plan.wake(after: .seconds(1))
        }
    }
}
