import Foundation
import RolloutAPI

/// A canary in flight: its steps, walked in order.
extension Planning {
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
        followStepList()

        if let action = newAction() {
            let (done, text) = act(on: action)
            record(action, done: done, text)
        }
        if routed { noticeDrift() }
        if input.stable == nil {
            holdForMissingStable()
            return
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
            message = "paused (spec.paused) at \(stepLabel), canary weight \(weight)%"
            // An analysis interval never spans a pause: the next one starts when the Rollout resumes.
            progress.analysis?.lastIntervalEnd = nil
            return
        }
        if routed, let problem = input.route?.problem {
            holdForRoute(problem)
            return
        }
        if routed, let held = old.condition(.trafficRouted), held.status == "False",
           held.reason != "RouteWriteFailed", held.reason != HoldReason.routeContested.rawValue {
            // Back from a route outage: the time held is not the canary's fault.
            progress.progressSince = Timestamps.millis(now)
        }
        if let hold = progress.hold.flatMap(HoldReason.init(rawValue:)) {
            holdAtStep(hold)
            return
        }
        walkSteps()
    }

    /// Records the step list the canary follows, and reconciles the cursor with an edited list: the steps already
    /// passed count only where the new list begins with the same steps (the longest unchanged prefix). The step the
    /// canary was at starts again if it changed; if a passed step changed, or nothing of the new list is left to
    /// walk, the canary starts the new list from its first step, its weight capped at today's until an analysis
    /// step of the new list has passed. An edit never promotes by itself.
    mutating func followStepList() {
        let current = e.steps.map(\.description)
        defer { progress.steps = current }
        guard let recorded = progress.steps, recorded != current else { return }
        let edit = StepListEdit(recorded: recorded, current: current, cursor: stepIndex)
        switch edit.resolution {
        case .keep:
            return
        case .restartStep:
            restartStep()
            plan.events.append(PlannedEvent(.normal, "StepsChanged", "the step list changed at the canary's step: \(stepLabel) (\(e.steps[stepIndex])) starts again"))
        case .restartList:
            let cap = weight
            stepIndex = 0
            restartStep()
            if cap > 0 { progress.weightCap = min(cap, progress.weightCap ?? cap) }
            plan.events.append(PlannedEvent(.normal, "StepsChanged",
                                            "the step list changed before the canary's step (\(edit.unchanged) unchanged of \(current.count)): starting the new list from step 1, weight at most \(cap)% until an analysis step passes"))
        }
    }

    mutating func walkSteps() {
        for _ in 0...(e.steps.count + 1) {
            guard stepIndex < e.steps.count else {
                promoteFully()
                return
            }
            let outcome: StepOutcome
            switch e.steps[stepIndex] {
            case .setWeight(let w): outcome = setWeightStep(w)
            case .pause(let d): outcome = pauseStep(d)
            case .analysis(let d): outcome = analysisStep(d)
            }
            if outcome == .waiting || phase == .degraded { return }
        }
    }

    /// On to the next step, with a fresh window.
    mutating func advance() {
        stepIndex += 1
        progress.stepStartedAt = Timestamps.millis(now)
        restartStep()
    }

    /// The current step starts again: no completion, hold, extension or window of its own yet.
    mutating func restartStep() {
        progress.stepStartedAt = Timestamps.millis(now)
        progress.stepComplete = nil
        progress.hold = nil
        progress.extensions = nil
        progress.selfExtension = nil
        progress.driftCorrections = nil
        progress.analysis?.windowStart = nil
        progress.analysis?.stepIntervals = nil
        progress.analysis?.step = nil
        progress.analysis?.outage = nil
        progress.analysis?.lastIntervalEnd = nil
    }

    /// Back to step 1 of the current template with no evidence and no stop.
    mutating func restart() {
        stepIndex = 0
        weight = 0
        // The step list is recorded afresh: a new canary follows the list as it is now.
        progress = CanaryProgress(stepStartedAt: Timestamps.millis(now), progressSince: Timestamps.millis(now))
    }

    /// Stops the canary: it is scaled to 0 and stable takes all traffic.
    mutating func stop(_ reason: StopReason, message text: String) {
        progress.aborted = AbortRecord(reason: reason.rawValue, message: text, time: Timestamps.seconds(now))
        progress.hold = nil
        plan.events.append(PlannedEvent(.warning, reason.eventReason, text))
        retreat()
        weight = 0
        phase = .degraded
        failure = reason.rawValue
        message = text
    }

    /// Held at the step until an action (promote, reanalyze, abort): the split is kept, nothing is analysed.
    mutating func holdAtStep(_ hold: HoldReason) {
        holdCurrentSplit()
        progress.analysis?.lastIntervalEnd = nil
        phase = .paused
        pauseReason = hold.rawValue
        switch hold {
        case .analysisInconclusive:
            message = "\(stepLabel): analysis inconclusive (\(status.lastAnalysis?.decision.summary ?? "")); promote, reanalyze (kubectl fledge resume) or abort"
        case .routeContested:
            message = "\(stepLabel) held at weight \(weight)%: \(contestedMessage)"
        }
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

    /// The canary's pods for the current weight are available (whatever the route does).
    var canaryPodsReady: Bool {
        if routed { return canaryReadyForWeight }
        let s = split
        return s.canary == 0 || (input.canary?.isSettled(replicas: s.canary, hash: e.templateHash) ?? false)
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
        plan.deployments.append(stableIntent(replicas: stableTarget))
    }

    mutating func setWeightStep(_ requested: Int) -> StepOutcome {
        let w = progress.weightCap.map { min($0, requested) } ?? requested
        if weight != w {
            weight = w
            progress.progressSince = Timestamps.millis(now)
            progress.availableSince = nil
            progress.stepStartedAt = Timestamps.millis(now)
            let s = split
            let capped = w < requested ? " (capped at the weight before the step list changed)" : ""
            plan.events.append(PlannedEvent(.normal, "WeightSet",
                                            "\(stepLabel): canary weight \(w)%\(capped) (\(s.canary) canary and \(s.stable) stable replicas)"))
        }
        holdCurrentSplit()
        if splitSettled {
            if progress.availableSince == nil { progress.availableSince = Timestamps.millis(now) }
            advance()
            return .advanced
        }
        return waitForAvailability()
    }

    /// Waits for the canary at the current split, or stops it at the progress deadline. Analysis intervals never
    /// span the wait. Only the canary's own pods count against the deadline: a route set back by another writer
    /// (drift) neither restarts the deadline nor the warm-up.
    mutating func waitForAvailability() -> StepOutcome {
        progress.analysis?.lastIntervalEnd = nil
        if progress.availableSince != nil, !canaryPodsReady {
            // It was available at this weight and no longer is (a pod restarted): the deadline counts from now,
            // and the warm-up starts again once it is back.
            progress.availableSince = nil
            progress.progressSince = Timestamps.millis(now)
        }
        let since = Timestamps.parse(progress.progressSince) ?? now
        let deadline = since.addingTimeInterval(e.progressDeadline.seconds)
        let available = input.canary?.available(running: e.templateHash) ?? 0
        if now >= deadline || input.canary?.deadlineExceeded == true && available < split.canary {
            stop(.progressDeadlineExceeded,
                 message: "canary \(e.version) did not become available within \(Int(e.progressDeadline.seconds))s (\(available) of \(split.canary) replicas available); rolled back")
            return .waiting
        }
        phase = .progressing
        message = "\(stepLabel): waiting for the canary: \(available) of \(split.canary) replicas available at weight \(weight)%"
        plan.wake(at: deadline, now: now)
        return .waiting
    }

    mutating func pauseStep(_ duration: Duration?) -> StepOutcome {
        holdCurrentSplit()
        if progress.stepComplete == true {
            advance()
            return .advanced
        }
        guard let duration else {
            phase = .paused
            pauseReason = "PauseStep"
            message = "paused at \(stepLabel) (weight \(weight)%) until promoted"
            return .waiting
        }
        let end = (Timestamps.parse(progress.stepStartedAt) ?? now).addingTimeInterval(duration.seconds)
        if now >= end {
            advance()
            return .advanced
        }
        phase = .progressing
        message = "\(stepLabel): pausing \(RolloutDuration.format(duration)) at weight \(weight)%"
        plan.wake(at: end, now: now)
        return .waiting
    }
}
