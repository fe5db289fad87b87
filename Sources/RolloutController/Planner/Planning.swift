import CanaryAnalysis
import Foundation
import KubeJSON
import RolloutAPI

/// One planning pass: the working state of `RolloutPlanner.plan`, decoded from status once and projected back
/// into status, conditions and a message by `finish()`.
///
/// The canary's state machine:
/// - no canary: `steady` (the template is stable's);
/// - a canary at a step (`stepIndex` into the step list recorded in `progress.steps`), which each pass walks:
///   a step returns a ``StepOutcome`` (advanced, or waiting with the phase and message set);
/// - held at its step (`progress.hold`: a ``HoldReason``), until an action;
/// - stopped (`progress.aborted`: a ``StopReason``), until retry or a new template;
/// - promoting (`stepIndex == steps.count`), until stable runs the template and the canary is gone.
struct Planning {
    let input: PlanInput
    let e: EffectiveRollout
    let now: Date
    let name: String
    let old: RolloutStatus
    var status: RolloutStatus
    var plan: Plan
    /// Where the canary is (nil outside a canary).
    var progress = CanaryProgress()
    var stepIndex = 0
    var weight = 0
    /// Why the phase is Paused, when it is.
    var pauseReason: String?
    var phase: RolloutPhase = .progressing
    var message = ""
    /// A failure of the Progressing condition (reason), when the rollout is stuck or stopped.
    var failure: String?
    /// The promotion finished in this pass.
    var completed = false
    /// Another writer changed the route since the last pass (set back this pass).
    var drifted = false

    /// Baseline reads that may come back empty, an interval apart, before the analysis starts without one (its
    /// latency tests then cannot be planned and gate nothing): a stable version applied just before the canary
    /// needs a few intervals of its own traffic to be counted end to end.
    static let baselineAttempts = 10
    /// How often a route is read again while a canary is in flight.
    static let routeRecheck: Duration = .seconds(60)
    /// Route corrections at one step after which the route counts as contested and the canary is held.
    static let contestedAfter = 3

    init(input: PlanInput, effective: EffectiveRollout, status: RolloutStatus) {
        self.input = input
        self.e = effective
        self.now = input.now
        self.name = input.rollout.metadata.name ?? ""
        self.old = input.rollout.status ?? RolloutStatus()
        self.status = status
        self.plan = Plan(status: status)
    }

    /// "step 2 of 7": people count steps from 1 (`status.currentStepIndex` stays 0-based, as pinned).
    var stepLabel: String { stepIndex < e.steps.count ? "step \(stepIndex + 1) of \(e.steps.count)" : "the last step" }

    // MARK: Entry

    mutating func run() {
        let unowned = [input.stable, input.canary].compactMap { $0 }.filter { !$0.ownedByRollout }.map { "Deployment \($0.name)" }
            + input.unownedServices.filter { !isUsersOwnService($0) }.map { "Service \($0)" }
        if let first = unowned.first.map({ "\($0) exists and is not controlled by this Rollout; Fledge will not touch it "
            + "(delete or rename it, or give the Rollout another name)" }) ?? workloadConflict {
            // Touch nothing, and keep where the canary was: the conflict may be resolved by a human.
            stepIndex = old.currentStepIndex ?? 0
            weight = old.canaryWeight ?? 0
            progress = old.canary ?? CanaryProgress()
            phase = .degraded
            failure = "ResourceConflict"
            message = first
            if old.condition(.progressing)?.reason != "ResourceConflict" {
                plan.events.append(PlannedEvent(.warning, "ResourceConflict", message))
            }
            return
        }
        rememberStableTemplate()
        let stableHash = old.stableTemplateHash ?? input.stable?.templateHash
        ensureServices()
        if stableHash == nil || stableHash == e.templateHash {
            steady(firstDeploy: stableHash == nil)
        } else {
            canary()
        }
        planWorkload()
    }

    // MARK: Owned objects

    /// Migrating a Deployment, the Service `<name>` the user already has (it selects the Deployment's labels, which
    /// both tracks' pods carry) is used as it is instead of created: only the track Services are Fledge's.
    func isUsersOwnService(_ service: String) -> Bool {
        e.workload != nil && service == FledgeNames.service(name) && input.unownedServices.contains(service)
    }

    func template(_ track: Track) -> DeploymentIntent.Template {
        DeploymentIntent.Template(
            hash: e.templateHash, version: e.version,
            podTemplate: TemplateDecorator.decorate(e.template, rollout: name, track: track, version: e.version))
    }

    mutating func ensureServices() {
        let ports = e.template[path: ["spec", "containers"]]?.arrayValue?.contains { ($0["ports"]?.arrayValue ?? []).isEmpty == false } ?? false
        guard ports else { return }
        for (service, track) in [(FledgeNames.service(name), Track?.none), (FledgeNames.stableService(name), .stable),
                                 (FledgeNames.canaryService(name), .canary)] where !input.services.contains(service) && !isUsersOwnService(service) {
            plan.services.append(ServiceIntent(name: service, track: track))
        }
    }
}

/// What one step did in a pass.
enum StepOutcome: Equatable {
    /// The step is done: walk on to the next one in the same pass.
    case advanced
    /// The step is not done: the phase, message and wake-up are set.
    case waiting
}
