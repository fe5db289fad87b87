import CanaryAnalysis
import Foundation
import RolloutAPI

/// An analysis step: warm-up, the baseline, then one interval at a time until the window has its own data.
///
/// What carries across steps: the evidence and the α budget of the canary version (`analysis.state`). What each
/// step must earn: its own window of intervals with data (`analysis.step`, a ``StepTally``) and the
/// ``StepEvidenceRule`` minimum. An interval without data does not use up the window; a run of them holds the
/// rollout (MetricsAvailable=False) and, past the limit, rolls it back.
extension Planning {
    /// Intervals in a window of `window` at the analysis interval, times the extensions granted.
    func windowIntervals(_ window: Duration) -> Int {
        baseIntervals(window) * (1 + (progress.extensions ?? 0)) + (progress.selfExtension ?? 0)
    }

    /// Intervals in the step's window as written.
    func baseIntervals(_ window: Duration) -> Int {
        RolloutResolver.intervals(in: window, interval: e.analysis.interval)
    }

    /// A window is a minimum, not a cliff: when the analysis is on course to promote (its bound is expected below
    /// the margin within `remainingIntervals`), the step extends itself by that many intervals, up to three times
    /// its window, and says so. True when it extended.
    mutating func extendByItself(_ decision: Decision, window: Duration) -> Bool {
        guard let remaining = decision.remainingIntervals else { return false }
        let base = baseIntervals(window)
        let used = progress.selfExtension ?? 0
        let room = base * RolloutResolver.selfExtensionFactor - windowIntervals(window)
        let add = min(max(1, remaining), room)
        guard add > 0 else { return false }
        progress.selfExtension = used + add
        let minutes = Double(add) * e.analysis.interval.seconds / 60
        let estimate = minutes < 1 ? "\(Int((minutes * 60).rounded())) s" : "≈ \(Int(minutes.rounded(.up))) min"
        plan.events.append(PlannedEvent(.normal, "AnalysisExtended",
                                        "\(stepLabel): not yet sure the canary is good enough, but on course: the window runs \(add) more interval\(add == 1 ? "" : "s") (\(estimate) at this traffic; at most \(RolloutResolver.selfExtensionFactor)× the window)"))
        phase = .progressing
        message = "\(stepLabel): analysis extended by itself (\(estimate) more at this traffic)"
        plan.wake(after: e.analysis.interval + e.analysis.lag)
        return true
    }

    mutating func analysisStep(_ window: Duration) -> StepOutcome {
        holdCurrentSplit()
        if progress.stepComplete == true {
            advance()
            return .advanced
        }
        guard splitSettled else { return waitForAvailability() }
        let a = e.analysis
        let availableSince = Timestamps.parse(progress.availableSince) ?? now
        if progress.availableSince == nil { progress.availableSince = Timestamps.millis(now) }
        let warmEnd = availableSince.addingTimeInterval(a.warmup.seconds)
        if now < warmEnd {
            phase = .progressing
            message = "\(stepLabel): warming up until \(Timestamps.seconds(warmEnd)) before analysis"
            plan.wake(at: warmEnd, now: now)
            return .waiting
        }
        // Start the analysis of this canary version (its evidence then accumulates across the steps).
        guard var analysis = progress.analysis, analysis.templateHash == e.templateHash, analysis.state != nil else {
            return startAnalysis(window)
        }
        let canaryReady = input.canary?.available(running: e.templateHash) ?? 0
        let stableReady = input.stable?.availableReplicas ?? 0
        if analysis.windowStart == nil {
            analysis.windowStart = Timestamps.millis(now)
            analysis.step = StepTally()
            analysis.lastIntervalEnd = nil
        }
        // Intervals never span a pause, a wait, a drift correction, a weight change or a change of available
        // replicas; nor a gap of more than three intervals and 30 s (the controller was down: nothing vouches for
        // what happened meanwhile).
        let stale = Timestamps.parse(analysis.lastIntervalEnd).map { now > $0.addingTimeInterval(max(3 * a.interval.seconds, 30) + a.lag.seconds) } ?? true
        if stale || drifted || analysis.readyCanaryReplicas != canaryReady || analysis.readyStableReplicas != stableReady {
            analysis.lastIntervalEnd = Timestamps.millis(now)
            analysis.readyCanaryReplicas = canaryReady
            analysis.readyStableReplicas = stableReady
        }
        progress.analysis = analysis
        let windowIntervals = windowIntervals(window)
        var tally = analysis.step ?? StepTally()
        let start = Timestamps.parse(analysis.lastIntervalEnd) ?? now
        let end = start.addingTimeInterval(a.interval.seconds)
        guard now >= end.addingTimeInterval(a.lag.seconds) else {
            phase = analysis.outage == nil ? .progressing : .paused
            if analysis.outage == nil {
                message = "\(stepLabel): analysis interval \(tally.dataIntervals + 1) of \(windowIntervals) at weight \(weight)%"
            } else {
                holdForOutage(analysis.outage!, tally: tally, window: window)
            }
            plan.wake(at: end.addingTimeInterval(a.lag.seconds), now: now)
            return .waiting
        }
        guard let result = input.interval, result.observedInterval else {
            plan.interval = .observe(start: start, end: end, final: tally.dataIntervals + 1 >= windowIntervals)
            phase = .progressing
            message = "\(stepLabel): analysing interval \(tally.dataIntervals + 1) of \(windowIntervals)"
            return .waiting
        }
        tally.add(canaryRequests: result.canaryRequests)
        analysis.state = result.state
        analysis.lastIntervalEnd = Timestamps.millis(result.end)
        analysis.step = tally
        progress.analysis = analysis
        status.lastAnalysis = AnalysisRecord(decision: result.decision, time: Timestamps.seconds(result.end),
                                             stepIndex: stepIndex, intervals: result.state.intervals, canaryVersion: e.version)
        if result.decision.outcome == .rollback {
            stop(.analysisFailed, message: "analysis failed at \(stepLabel): \(result.decision.summary); rolled back")
            return .waiting
        }
        guard result.canaryRequests != nil else { return missingData(result, tally: tally, window: window) }
        if let outage = analysis.outage {
            progress.analysis?.outage = nil
            plan.events.append(PlannedEvent(.normal, "MetricsRestored",
                                            "\(stepLabel): metrics are back after an outage since \(outage.since) (\(outage.message)); the window goes on with fresh intervals"))
        }
        let done = tally.dataIntervals >= windowIntervals
        switch result.decision.outcome {
        case .continue, .rollback:
            if !done {
                phase = .progressing
                message = "\(stepLabel): analysis \(tally.dataIntervals) of \(windowIntervals): \(result.decision.summary)"
                plan.wake(at: result.end.addingTimeInterval(a.interval.seconds + a.lag.seconds), now: now)
                return .waiting
            }
            return inconclusive(result.decision, why: "the window ended without a verdict")
        case .promote:
            if let shortfall = e.analysis.stepEvidence.shortfall(tally, windowIntervals: windowIntervals) {
                return inconclusive(result.decision, why: shortfall.description)
            }
            plan.events.append(PlannedEvent(.normal, "AnalysisPassed", "\(stepLabel): \(result.decision.summary) (\(tally.dataIntervals) intervals, \(tally.canaryRequests) canary requests at weight \(weight)%)"))
            progress.weightCap = nil
            advance()
            return .advanced
        case .inconclusive:
            if extendByItself(result.decision, window: window) { return .waiting }
            return inconclusive(result.decision, why: nil)
        }
    }

    /// Fixes the analysis plan from stable's baseline (asked of the reconciler, then taken from its result).
    mutating func startAnalysis(_ window: Duration) -> StepOutcome {
        let a = e.analysis
        let previous = progress.analysis?.templateHash == e.templateHash ? progress.analysis : nil
        let attempts = previous?.baselineAttempts ?? 0
        if let result = input.interval, !result.observedInterval {
            if let missing = result.baselineMissing, attempts + 1 < Planning.baselineAttempts {
                // Stable's traffic may not have reached Prometheus yet (a version applied right after the last
                // one), or Prometheus cannot be read: look again an interval later rather than fix the tests
                // without a baseline, and say why, in a condition when the metrics cannot be read.
                var analysis = AnalysisProgress(templateHash: e.templateHash, lastIntervalEnd: Timestamps.millis(now))
                analysis.baselineAttempts = attempts + 1
                analysis.outage = previous?.outage
                let cause = MissingDataCause.classify(missing)
                if cause != .noSeries, analysis.outage == nil {
                    analysis.outage = MetricsOutage(since: Timestamps.seconds(now), reason: cause.rawValue, message: missing)
                    plan.events.append(PlannedEvent(.warning, "MetricsUnavailable", "\(stepLabel): stable's baseline cannot be read: \(missing)"))
                }
                progress.analysis = analysis
                phase = .progressing
                message = "\(stepLabel): waiting for stable's baseline in Prometheus (\(missing))"
                plan.wake(after: a.interval)
                return .waiting
            }
            progress.analysis = AnalysisProgress(templateHash: e.templateHash, state: result.state)
            if let outage = previous?.outage, result.baselineMissing == nil {
                plan.events.append(PlannedEvent(.normal, "MetricsRestored", "\(stepLabel): stable's baseline was read after \(outage.message)"))
            }
            return analysisStep(window)
        }
        if let last = Timestamps.parse(previous?.lastIntervalEnd), now < last.addingTimeInterval(a.interval.seconds) {
            phase = .progressing
            message = "\(stepLabel): waiting for stable's baseline in Prometheus" + (previous?.outage.map { " (\($0.message))" } ?? "")
            plan.wake(at: last.addingTimeInterval(a.interval.seconds), now: now)
            return .waiting
        }
        let to = now.addingTimeInterval(-a.lag.seconds)
        let length = max(a.interval.seconds * 10, 60)
        plan.interval = .start(baselineFrom: to.addingTimeInterval(-length), to: to)
        phase = .progressing
        message = "\(stepLabel): starting analysis"
        return .waiting
    }

    /// An interval without data: it does not use up the window. A run of them holds the Rollout visibly; past the
    /// limit the canary is rolled back (it never keeps its traffic blind).
    mutating func missingData(_ result: IntervalResult, tally: StepTally, window: Duration) -> StepOutcome {
        let a = e.analysis
        let reason = result.missingReason ?? "no data"
        plan.wake(at: result.end.addingTimeInterval(a.interval.seconds + a.lag.seconds), now: now)
        guard tally.consecutiveMissing >= a.missingDataHold else {
            phase = .progressing
            message = "\(stepLabel): no data in interval (\(reason)); \(tally.consecutiveMissing) of \(a.missingDataHold) before the rollout is held"
            return .waiting
        }
        var outage = progress.analysis?.outage
        if outage == nil {
            let since = result.end.addingTimeInterval(-Double(tally.consecutiveMissing) * a.interval.seconds)
            let started = MetricsOutage(since: Timestamps.seconds(since), reason: MissingDataCause.classify(reason).rawValue, message: reason)
            progress.analysis?.outage = started
            outage = started
            plan.events.append(PlannedEvent(.warning, "MetricsUnavailable",
                                            "\(stepLabel): held at weight \(weight)%: \(tally.consecutiveMissing) intervals in a row without data (\(reason)); nothing is promoted until data returns"))
        }
        if now >= rollbackDeadline(outage!, window: window) {
            stop(.metricsUnavailable, message: "no metrics since \(outage!.since) at \(stepLabel) (\(reason)); canary \(e.version) rolled back rather than left blind")
            return .waiting
        }
        holdForOutage(outage!, tally: tally, window: window)
        return .waiting
    }

    /// When a canary held for missing data is rolled back: `missingData.rollbackAfter` (default three windows) after
    /// it was held, i.e. after `holdAfter` intervals without data.
    func rollbackDeadline(_ outage: MetricsOutage, window: Duration) -> Date {
        let limit = e.analysis.missingDataLimit ?? .seconds(window.seconds * 3)
        let held = (Timestamps.parse(outage.since) ?? now).addingTimeInterval(Double(e.analysis.missingDataHold) * e.analysis.interval.seconds)
        return held.addingTimeInterval(limit.seconds)
    }

    /// Phase and message while held for missing data.
    mutating func holdForOutage(_ outage: MetricsOutage, tally: StepTally, window: Duration) {
        let until = rollbackDeadline(outage, window: window)
        phase = .paused
        pauseReason = "MetricsUnavailable"
        message = "\(stepLabel) held at weight \(weight)%: no metrics since \(outage.since) (\(outage.message)); the window's clock is stopped; the canary is rolled back at \(Timestamps.seconds(until)) if data does not return"
    }

    /// A window that ended without the evidence to promote: extended, held, rolled back or promoted, as the
    /// policy says. `why`: what the step lacked, when the analysis itself would have promoted.
    mutating func inconclusive(_ decision: Decision, why: String?) -> StepOutcome {
        let a = e.analysis
        let summary = why.map { "\($0); \(decision.summary)" } ?? decision.summary
        var policy = a.onInconclusive
        if policy == .extend {
            let used = progress.extensions ?? 0
            if used < a.maxExtensions {
                progress.extensions = used + 1
                plan.events.append(PlannedEvent(.normal, "AnalysisExtended",
                                                "\(stepLabel): inconclusive (\(summary)); window extended (\(used + 1) of \(a.maxExtensions))"))
                phase = .progressing
                message = "\(stepLabel): analysis extended"
                plan.wake(after: a.interval + a.lag)
                return .waiting
            }
            policy = .pause
        }
        switch policy {
        case .pause, .extend:
            return holdInconclusive("\(stepLabel): analysis inconclusive (\(summary)); promote, reanalyze (kubectl fledge resume) or abort")
        case .rollback:
            stop(.analysisInconclusive, message: "analysis inconclusive at \(stepLabel) (\(summary)); rolled back by policy")
            return .waiting
        case .promote:
            guard (progress.analysis?.step?.dataIntervals ?? 0) > 0 else {
                // Never promote a window that saw no fresh data of its own, whatever the policy.
                return holdInconclusive("\(stepLabel): analysis inconclusive (\(summary)); not promoted by policy without fresh data of this step")
            }
            plan.events.append(PlannedEvent(.warning, "AnalysisInconclusive", "\(stepLabel): inconclusive (\(summary)); promoted by policy"))
            progress.weightCap = nil
            advance()
            return .advanced
        }
    }

    /// Held at the step for a person (or a reanalyze): the window ended inconclusive.
    mutating func holdInconclusive(_ text: String) -> StepOutcome {
        progress.hold = HoldReason.analysisInconclusive.rawValue
        progress.analysis?.lastIntervalEnd = nil
        phase = .paused
        pauseReason = HoldReason.analysisInconclusive.rawValue
        message = text
        plan.events.append(PlannedEvent(.warning, "AnalysisInconclusive", text))
        return .waiting
    }
}
