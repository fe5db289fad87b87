import CanaryAnalysis
import Foundation
import KubeJSON
import RolloutAPI

/// The pure heart of the controller: from a Rollout, what it owns, the time and (on a second call) the result of an
/// analysis interval, decides what must change. It does no I/O, so it is tested with tables.
///
/// The state of a rollout lives in its status; the planner reads it, moves it forward and returns it. Applying the
/// same plan twice changes nothing the second time, so a controller killed at any instant resumes exactly where it
/// was.
public enum RolloutPlanner {
    public static func plan(_ input: PlanInput) -> Plan {
        var status = input.rollout.status ?? RolloutStatus()
        status.observedGeneration = input.rollout.metadata.generation
        switch RolloutResolver.resolve(input.rollout, defaults: input.defaults) {
        case .failure(let invalid):
            return invalidSpec(invalid, input: input, status: status)
        case .success(let effective):
            var planning = Planning(input: input, effective: effective, status: status)
            planning.run()
            var plan = planning.finish()
            plan.effective = effective
            return plan
        }
    }

    static func invalidSpec(_ invalid: InvalidRolloutSpec, input: PlanInput, status: RolloutStatus) -> Plan {
        var status = status
        let message = "invalid spec: \(invalid.description)"
        var conditions = StatusConditions(conditions: status.conditions ?? [], now: input.now, generation: status.observedGeneration)
        let previous = status.condition(.invalidSpec)
        conditions.set(.invalidSpec, true, reason: "InvalidSpec", message: message)
        status.conditions = conditions.conditions
        status.phase = .degraded
        status.message = message
        var plan = Plan(status: status)
        if previous?.status != "True" || previous?.message != message {
            plan.events.append(PlannedEvent(.warning, "InvalidSpec", message))
        }
        return plan
    }
}

/// One planning pass: the mutable working state of `RolloutPlanner.plan`.
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

    init(input: PlanInput, effective: EffectiveRollout, status: RolloutStatus) {
        self.input = input
        self.e = effective
        self.now = input.now
        self.name = input.rollout.metadata.name ?? ""
        self.old = input.rollout.status ?? RolloutStatus()
        self.status = status
        self.plan = Plan(status: status)
    }

    // MARK: Entry

    mutating func run() {
        for (track, observed) in [(Track.stable, input.stable), (.canary, input.canary)] {
            if let observed, !observed.ownedByRollout {
                // Touch nothing, and keep where the canary was: the conflict may be resolved by a human.
                stepIndex = old.currentStepIndex ?? 0
                weight = old.canaryWeight ?? 0
                progress = old.canary ?? CanaryProgress()
                phase = .degraded
                failure = "ResourceConflict"
                message = "Deployment \(observed.name) exists and is not controlled by this Rollout; Fledge will not touch it"
                if old.condition(.progressing)?.reason != "ResourceConflict" {
                    plan.events.append(PlannedEvent(.warning, "ResourceConflict", message))
                }
                _ = track
                return
            }
        }
        var stableHash = old.stableTemplateHash ?? input.stable?.templateHash
        if stableHash != nil, input.stable == nil, stableHash != e.templateHash {
            // The stable Deployment is gone and its template with it: the only template left is the new one.
            plan.events.append(PlannedEvent(.warning, "StableMissing",
                                            "Deployment \(FledgeNames.stableDeployment(name)) is missing; deploying version \(e.version) as stable"))
            stableHash = nil
        }
        ensureServices()
        if stableHash == nil || stableHash == e.templateHash {
            steady(firstDeploy: stableHash == nil)
        } else {
            canary()
        }
    }

    // MARK: No canary

    /// The template is the stable one: stable at full size, no canary.
    mutating func steady(firstDeploy: Bool) {
        status.stableTemplateHash = e.templateHash
        if firstDeploy || old.stableVersion == nil { status.stableVersion = e.version }
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
        let settled = input.stable?.isSettled(replicas: e.replicas, hash: e.templateHash) ?? false
        if input.stable == nil, old.stableTemplateHash == nil {
            plan.events.append(PlannedEvent(.normal, "StableCreated",
                                            "created Deployment \(FledgeNames.stableDeployment(name)) with version \(e.version), \(e.replicas) replicas"))
        }
        if settled {
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

    // MARK: Canary

    mutating func canary() {
        progress = old.canary ?? CanaryProgress()
        stepIndex = old.currentStepIndex ?? 0
        weight = old.canaryWeight ?? 0
        if old.canaryTemplateHash != e.templateHash {
            if let previous = old.canaryTemplateHash {
                plan.events.append(PlannedEvent(.normal, "CanaryReplaced",
                                                "version \(e.version) replaces canary \(old.canaryVersion ?? previous) before it finished; starting over"))
            } else {
                plan.events.append(PlannedEvent(.normal, "CanaryStarted",
                                                "canary version \(e.version) started against stable \(old.stableVersion ?? "?"): \(e.steps.map(\.description).joined(separator: ", "))"))
            }
            restart()
            status.lastAnalysis = nil
        }
        status.canaryTemplateHash = e.templateHash
        status.canaryVersion = e.version

        if let action = newAction() {
            let (done, text) = act(on: action)
            record(action, done: done, text)
        }

        if let aborted = progress.aborted {
            retreat()
            weight = 0
            phase = .degraded
            failure = aborted.reason
            message = aborted.message
            return
        }
        if e.paused {
            holdCurrentSplit()
            phase = .paused
            pauseReason = "PausedByUser"
            message = "paused (spec.paused) at step \(stepIndex) of \(e.steps.count), canary weight \(weight)%"
            // An analysis interval never spans a pause: the next one starts when the Rollout resumes.
            progress.analysis?.lastIntervalEnd = nil
            return
        }
        if routed, let problem = input.route?.problem {
            holdForRoute(problem)
            return
        }
        if routed, let held = old.condition(.trafficRouted), held.status == "False", held.reason != "RouteWriteFailed" {
            // Back from a route outage: the time held is not the canary's fault.
            progress.progressSince = Timestamps.millis(now)
        }
        walkSteps()
    }

    /// Carries out a one-shot action during a canary.
    mutating func act(on action: RolloutAction) -> (Bool, String) {
        switch action.verb {
        case .abort:
            if let aborted = progress.aborted { return (false, "already stopped: \(aborted.message)") }
            if stepIndex >= e.steps.count {
                return (false, "the canary is being promoted (stable already runs \(e.version)); it can no longer be aborted")
            }
            stop(reason: "Aborted", message: "canary \(e.version) aborted by the user (action \(action.id))", kind: .warning)
            return (true, "canary aborted")
        case .retry:
            guard progress.aborted != nil else { return (false, "nothing to retry: the canary is not stopped") }
            restart()
            plan.events.append(PlannedEvent(.normal, "Retried", "canary \(e.version) starts again from step 0"))
            return (true, "canary restarted from step 0")
        case .promote:
            if progress.aborted != nil { return (false, "the canary is stopped; retry it first") }
            progress.stepComplete = true
            progress.hold = nil
            return (true, "step \(stepIndex) promoted")
        case .promoteFull:
            if progress.aborted != nil { return (false, "the canary is stopped; retry it first") }
            stepIndex = e.steps.count
            progress.hold = nil
            plan.events.append(PlannedEvent(.normal, "PromotedFull", "every remaining step skipped by the user (action \(action.id))"))
            return (true, "promoting fully")
        }
    }

    /// Back to step 0 of the current template with no evidence and no stop.
    mutating func restart() {
        stepIndex = 0
        weight = 0
        progress = CanaryProgress(stepStartedAt: Timestamps.millis(now), progressSince: Timestamps.millis(now))
    }

    /// Stops the canary: it is scaled to 0 and stable takes all traffic.
    mutating func stop(reason: String, message text: String, kind: PlannedEvent.Kind) {
        progress.aborted = AbortRecord(reason: reason, message: text, time: Timestamps.seconds(now))
        progress.hold = nil
        plan.events.append(PlannedEvent(kind, reason == "Aborted" ? "Aborted" : "RolledBack", text))
        retreat()
        weight = 0
        phase = .degraded
        failure = reason
        message = text
    }

    mutating func walkSteps() {
        for _ in 0...(e.steps.count + 1) {
            guard stepIndex < e.steps.count else {
                promoteFully()
                return
            }
            let advanced: Bool
            switch e.steps[stepIndex] {
            case .setWeight(let w): advanced = setWeightStep(w)
            case .pause(let d): advanced = pauseStep(d)
            case .analysis(let d): advanced = analysisStep(d)
            }
            if !advanced { return }
            if phase == .degraded { return }
        }
    }

    mutating func advance() {
        stepIndex += 1
        progress.stepStartedAt = Timestamps.millis(now)
        progress.stepComplete = nil
        progress.hold = nil
        progress.extensions = nil
        progress.analysis?.windowStart = nil
        progress.analysis?.stepIntervals = nil
    }

    /// The replicas per track at the current weight: a ratio of the pods without a router; with one, stable keeps
    /// every pod and the canary is sized for its share.
    var split: ReplicaSplit { routed ? routedSplit : ReplicaSplit.forWeight(weight, total: e.replicas) }

    /// The canary runs its share of the pods and is available; stable has scaled to its share.
    var splitSettled: Bool {
        if routed { return routedSplitSettled }
        let s = split
        let canaryOK = s.canary == 0 || (input.canary?.isSettled(replicas: s.canary, hash: e.templateHash) ?? false)
        let stableOK = s.stable == 0 ? (input.stable?.specReplicas ?? 0) == 0
            : (input.stable.map { $0.specReplicas == s.stable && $0.observedGeneration >= $0.generation && $0.availableReplicas >= 1 } ?? false)
        return canaryOK && stableOK
    }

    /// Keeps the Deployments at the split of the current weight; stable shrinks only once the canary's new pods
    /// are available, so capacity never dips.
    mutating func holdCurrentSplit() {
        if routed { return holdRoutedSplit() }
        let s = split
        plan.deployments.append(DeploymentIntent(track: .canary, replicas: s.canary, run: template(.canary)))
        let canaryReady = input.canary?.available(running: e.templateHash) ?? 0
        let current = input.stable?.specReplicas ?? e.replicas
        let stableTarget = canaryReady >= s.canary ? s.stable : max(current, s.stable)
        plan.deployments.append(.scale(.stable, to: stableTarget))
    }

    mutating func setWeightStep(_ w: Int) -> Bool {
        if weight != w {
            weight = w
            progress.progressSince = Timestamps.millis(now)
            progress.availableSince = nil
            progress.stepStartedAt = Timestamps.millis(now)
            let s = split
            plan.events.append(PlannedEvent(.normal, "WeightSet",
                                            "step \(stepIndex): canary weight \(w)% (\(s.canary) canary and \(s.stable) stable replicas)"))
        }
        holdCurrentSplit()
        if splitSettled {
            if progress.availableSince == nil { progress.availableSince = Timestamps.millis(now) }
            advance()
            return true
        }
        return waitForAvailability()
    }

    /// Waits for the canary at the current split, or stops it at the progress deadline. Always false (not advanced).
    mutating func waitForAvailability() -> Bool {
        if progress.availableSince != nil {
            // It was available at this weight and no longer is (a pod restarted): the deadline counts from now,
            // and the warm-up starts again once it is back.
            progress.availableSince = nil
            progress.progressSince = Timestamps.millis(now)
        }
        let since = Timestamps.parse(progress.progressSince) ?? now
        let deadline = since.addingTimeInterval(e.progressDeadline.seconds)
        let available = input.canary?.available(running: e.templateHash) ?? 0
        if now >= deadline || input.canary?.deadlineExceeded == true && available < split.canary {
            stop(reason: "ProgressDeadlineExceeded",
                 message: "canary \(e.version) did not become available within \(Int(e.progressDeadline.seconds))s (\(available) of \(split.canary) replicas available); rolled back",
                 kind: .warning)
            return false
        }
        phase = .progressing
        message = "step \(stepIndex): waiting for the canary: \(available) of \(split.canary) replicas available at weight \(weight)%"
        plan.wake(at: deadline, now: now)
        return false
    }

    mutating func pauseStep(_ duration: Duration?) -> Bool {
        holdCurrentSplit()
        if progress.stepComplete == true {
            advance()
            return true
        }
        guard let duration else {
            phase = .paused
            pauseReason = "PauseStep"
            message = "paused at step \(stepIndex) (weight \(weight)%) until promoted"
            return false
        }
        let end = (Timestamps.parse(progress.stepStartedAt) ?? now).addingTimeInterval(duration.seconds)
        if now >= end {
            advance()
            return true
        }
        phase = .progressing
        message = "step \(stepIndex): pausing \(RolloutDuration.format(duration)) at weight \(weight)%"
        plan.wake(at: end, now: now)
        return false
    }

    // MARK: Analysis

    mutating func analysisStep(_ window: Duration) -> Bool {
        holdCurrentSplit()
        if progress.stepComplete == true {
            advance()
            return true
        }
        if let hold = progress.hold {
            phase = .paused
            pauseReason = hold
            message = "step \(stepIndex): analysis inconclusive; promote or abort (\(status.lastAnalysis?.decision.summary ?? ""))"
            return false
        }
        guard splitSettled else { return waitForAvailability() }
        let a = e.analysis
        let availableSince = Timestamps.parse(progress.availableSince) ?? now
        if progress.availableSince == nil { progress.availableSince = Timestamps.millis(now) }
        let warmEnd = availableSince.addingTimeInterval(a.warmup.seconds)
        if now < warmEnd {
            phase = .progressing
            message = "step \(stepIndex): warming up until \(Timestamps.seconds(warmEnd)) before analysis"
            plan.wake(at: warmEnd, now: now)
            return false
        }
        // Start the analysis of this canary version (its evidence then accumulates across the steps).
        guard var analysis = progress.analysis, analysis.templateHash == e.templateHash, analysis.state != nil else {
            let previous = progress.analysis?.templateHash == e.templateHash ? progress.analysis : nil
            let attempts = previous?.baselineAttempts ?? 0
            if let result = input.interval, !result.observedInterval {
                if let missing = result.baselineMissing, attempts + 1 < Planning.baselineAttempts {
                    // Stable's traffic may not have reached Prometheus yet (a version applied right after the last
                    // one): look again an interval later rather than fix the tests without a baseline.
                    progress.analysis = AnalysisProgress(templateHash: e.templateHash, lastIntervalEnd: Timestamps.millis(now))
                    progress.analysis?.baselineAttempts = attempts + 1
                    phase = .progressing
                    message = "step \(stepIndex): waiting for stable's baseline in Prometheus (\(missing))"
                    plan.wake(after: a.interval)
                    return false
                }
                progress.analysis = AnalysisProgress(templateHash: e.templateHash, state: result.state)
                return analysisStep(window)
            }
            if let last = Timestamps.parse(previous?.lastIntervalEnd), now < last.addingTimeInterval(a.interval.seconds) {
                phase = .progressing
                message = "step \(stepIndex): waiting for stable's baseline in Prometheus"
                plan.wake(at: last.addingTimeInterval(a.interval.seconds), now: now)
                return false
            }
            let to = now.addingTimeInterval(-a.lag.seconds)
            let length = max(a.interval.seconds * 10, 60)
            plan.interval = .start(baselineFrom: to.addingTimeInterval(-length), to: to)
            phase = .progressing
            message = "step \(stepIndex): starting analysis"
            return false
        }
        let canaryReady = input.canary?.available(running: e.templateHash) ?? 0
        let stableReady = input.stable?.availableReplicas ?? 0
        if analysis.windowStart == nil {
            analysis.windowStart = Timestamps.millis(now)
            analysis.stepIntervals = 0
            analysis.lastIntervalEnd = nil
        }
        // Intervals never span a pause, a weight change or a change of available replicas.
        if analysis.lastIntervalEnd == nil || analysis.readyCanaryReplicas != canaryReady || analysis.readyStableReplicas != stableReady {
            analysis.lastIntervalEnd = Timestamps.millis(now)
            analysis.readyCanaryReplicas = canaryReady
            analysis.readyStableReplicas = stableReady
        }
        progress.analysis = analysis
        let intervals = max(1, Int((window.seconds / a.interval.seconds).rounded()))
        let windowIntervals = intervals * (1 + (progress.extensions ?? 0))
        let start = Timestamps.parse(analysis.lastIntervalEnd) ?? now
        let end = start.addingTimeInterval(a.interval.seconds)
        let observed = analysis.stepIntervals ?? 0
        guard now >= end.addingTimeInterval(a.lag.seconds) else {
            phase = .progressing
            message = "step \(stepIndex): analysis interval \(observed + 1) of \(windowIntervals) at weight \(weight)%"
            plan.wake(at: end.addingTimeInterval(a.lag.seconds), now: now)
            return false
        }
        guard let result = input.interval, result.observedInterval else {
            plan.interval = .observe(start: start, end: end, final: observed + 1 >= windowIntervals)
            phase = .progressing
            message = "step \(stepIndex): analysing interval \(observed + 1) of \(windowIntervals)"
            return false
        }
        analysis.state = result.state
        analysis.lastIntervalEnd = Timestamps.millis(result.end)
        analysis.stepIntervals = observed + 1
        progress.analysis = analysis
        status.lastAnalysis = AnalysisRecord(decision: result.decision, time: Timestamps.seconds(result.end),
                                             stepIndex: stepIndex, intervals: result.state.intervals, canaryVersion: e.version)
        switch result.decision.outcome {
        case .continue:
            phase = .progressing
            message = "step \(stepIndex): analysis \(observed + 1) of \(windowIntervals): \(result.decision.summary)"
            plan.wake(at: result.end.addingTimeInterval(a.interval.seconds + a.lag.seconds), now: now)
            return false
        case .rollback:
            stop(reason: "AnalysisFailed", message: "analysis failed at step \(stepIndex): \(result.decision.summary); rolled back", kind: .warning)
            return false
        case .promote:
            plan.events.append(PlannedEvent(.normal, "AnalysisPassed", "step \(stepIndex): \(result.decision.summary)"))
            advance()
            return true
        case .inconclusive:
            return inconclusive(result.decision)
        }
    }

    mutating func inconclusive(_ decision: Decision) -> Bool {
        let a = e.analysis
        var policy = a.onInconclusive
        if policy == .extend {
            let used = progress.extensions ?? 0
            if used < a.maxExtensions {
                progress.extensions = used + 1
                plan.events.append(PlannedEvent(.normal, "AnalysisExtended",
                                                "step \(stepIndex): inconclusive (\(decision.summary)); window extended (\(used + 1) of \(a.maxExtensions))"))
                phase = .progressing
                message = "step \(stepIndex): analysis extended"
                plan.wake(after: a.interval + a.lag)
                return false
            }
            policy = .pause
        }
        switch policy {
        case .pause, .extend:
            progress.hold = "AnalysisInconclusive"
            phase = .paused
            pauseReason = "AnalysisInconclusive"
            message = "step \(stepIndex): analysis inconclusive (\(decision.summary)); promote or abort"
            plan.events.append(PlannedEvent(.warning, "AnalysisInconclusive", message))
            return false
        case .rollback:
            stop(reason: "AnalysisInconclusive", message: "analysis inconclusive at step \(stepIndex) (\(decision.summary)); rolled back by policy", kind: .warning)
            return false
        case .promote:
            plan.events.append(PlannedEvent(.warning, "AnalysisInconclusive", "step \(stepIndex): inconclusive (\(decision.summary)); promoted by policy"))
            advance()
            return true
        }
    }

    // MARK: Full promotion

    /// After the last step: stable takes the canary's template; once it is available the canary scales to 0.
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

    var completed = false
    /// Baseline reads that may come back empty before the analysis starts without one.
    static let baselineAttempts = 4
    /// How often a route is read again while a canary is in flight.
    static let routeRecheck: Duration = .seconds(60)

    // MARK: Owned objects

    func template(_ track: Track) -> DeploymentIntent.Template {
        DeploymentIntent.Template(
            hash: e.templateHash, version: e.version,
            podTemplate: TemplateDecorator.decorate(e.template, rollout: name, track: track, version: e.version))
    }

    mutating func ensureServices() {
        let ports = e.template[path: ["spec", "containers"]]?.arrayValue?.contains { ($0["ports"]?.arrayValue ?? []).isEmpty == false } ?? false
        guard ports else { return }
        for (service, track) in [(FledgeNames.service(name), Track?.none), (FledgeNames.stableService(name), .stable),
                                 (FledgeNames.canaryService(name), .canary)] where !input.services.contains(service) {
            plan.services.append(ServiceIntent(name: service, track: track))
        }
    }

    /// A `fledge.dev/action` not acted on yet (a malformed one is recorded and reported once, and gives nil).
    mutating func newAction() -> RolloutAction? {
        guard let value = input.rollout.metadata.annotations?[FledgeNames.actionAnnotation] else { return nil }
        do {
            let action = try RolloutAction.parse(value)
            return old.lastAction?.id == action.id ? nil : action
        } catch {
            if old.lastAction?.id != value {
                status.lastAction = ActionRecord(action: "invalid", id: value, time: Timestamps.seconds(now), message: error.message)
                plan.events.append(PlannedEvent(.warning, "InvalidAction", "\(FledgeNames.actionAnnotation): \(error.message)"))
            }
            return nil
        }
    }

    /// Records what an action did in `status.lastAction` (and warns when it did nothing).
    mutating func record(_ action: RolloutAction, done: Bool, _ text: String) {
        status.lastAction = ActionRecord(action: action.verb.rawValue, id: action.id, time: Timestamps.seconds(now), message: text)
        if !done { plan.events.append(PlannedEvent(.warning, "ActionIgnored", "\(action.annotationValue): \(text)")) }
    }

    // MARK: Status

    mutating func finish() -> Plan {
        let canaryHash = status.canaryTemplateHash
        let canaryAvailable = canaryHash.flatMap { input.canary?.available(running: $0) } ?? 0
        let stableAvailable = input.stable?.availableReplicas ?? 0
        status.phase = phase
        status.message = message
        status.currentStepIndex = stepIndex
        status.canaryWeight = weight
        status.trafficRoute = e.routing.route.map(RouteRecord.init)
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
}
