import Foundation
import RolloutAPI

/// One-shot actions from the `fledge.dev/action` annotation. Each id acts at most once per Rollout, ever: the ids
/// acted on are kept (``RolloutStatus/actionIds``), so an annotation kept in git never fires again after another
/// action or on a later canary.
extension Planning {
    /// Carries out a one-shot action during a canary: whether it did something, and what.
    mutating func act(on action: RolloutAction) -> (Bool, String) {
        switch action.verb {
        case .abort:
            if let aborted = progress.aborted { return (false, "already stopped: \(aborted.message)") }
            stop(.aborted, message: "canary \(e.version) aborted by the user (action \(action.id))")
            return (true, "canary aborted")
        case .retry:
            guard progress.aborted != nil else { return (false, "nothing to retry: the canary is not stopped") }
            restart()
            plan.events.append(PlannedEvent(.normal, "Retried", "canary \(e.version) starts again from step 1"))
            return (true, "canary restarted from step 1")
        case .promote:
            if progress.aborted != nil { return (false, "the canary is stopped; retry it first") }
            if stepIndex >= e.steps.count { return (false, "the canary is already being promoted") }
            progress.stepComplete = true
            progress.hold = nil
            progress.weightCap = nil
            return (true, "\(stepLabel) promoted")
        case .promoteFull:
            if progress.aborted != nil { return (false, "the canary is stopped; retry it first") }
            stepIndex = e.steps.count
            progress.hold = nil
            progress.weightCap = nil
            plan.events.append(PlannedEvent(.normal, "PromotedFull", "every remaining step skipped by the user (action \(action.id))"))
            return (true, "promoting fully")
        case .reanalyze:
            if progress.aborted != nil { return (false, "the canary is stopped; retry it first") }
            guard stepIndex < e.steps.count else { return (false, "the canary is already being promoted") }
            let analysing = if case .analysis = e.steps[stepIndex] { true } else { false }
            // A hold (a contested route) is lifted at any step; a window is run again only at an analysis step.
            guard analysing || progress.hold != nil else { return (false, "\(stepLabel) is not an analysis step and nothing holds it") }
            let was = progress.hold
            restartStep()
            plan.events.append(PlannedEvent(.normal, "Reanalyzing",
                                            "\(stepLabel): the analysis window runs again on fresh data\(was.map { " (was held: \($0))" } ?? ""); the evidence so far is kept"))
            return (true, "\(stepLabel): analysis window started again")
        }
    }

    /// A `fledge.dev/action` not acted on yet (a malformed one is recorded and reported once, and gives nil).
    mutating func newAction() -> RolloutAction? {
        guard let value = input.rollout.metadata.annotations?[FledgeNames.actionAnnotation] else { return nil }
        do {
            let action = try RolloutAction.parse(value)
            return seen(action.id) ? nil : action
        } catch {
            if !seen(value) {
                status.lastAction = ActionRecord(action: "invalid", id: value, time: Timestamps.seconds(now), message: error.message)
                remember(id: value)
                plan.events.append(PlannedEvent(.warning, "InvalidAction", "\(FledgeNames.actionAnnotation): \(error.message)"))
            }
            return nil
        }
    }

    /// The id was acted on (or refused) before.
    func seen(_ id: String) -> Bool {
        old.lastAction?.id == id || (old.actionIds ?? []).contains(id)
    }

    mutating func remember(id: String) {
        var ids = (status.actionIds ?? []).filter { $0 != id }
        ids.append(id)
        status.actionIds = Array(ids.suffix(RolloutStatus.keptActionIds))
    }

    /// Records what an action did in `status.lastAction` (and warns when it did nothing).
    mutating func record(_ action: RolloutAction, done: Bool, _ text: String) {
        status.lastAction = ActionRecord(action: action.verb.rawValue, id: action.id, time: Timestamps.seconds(now), message: text)
        remember(id: action.id)
        if !done { plan.events.append(PlannedEvent(.warning, "ActionIgnored", "\(action.annotationValue): \(text)")) }
    }
}
