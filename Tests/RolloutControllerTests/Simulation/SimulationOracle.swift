import CanaryAnalysis
import Foundation
import RolloutAPI
import RolloutController

/// Checks the planner's promises after every reconcile of a simulated run. It keeps its own ledger, from what it
/// sees (status before and after, the plan's Events, the interval judged), never from the planner's internals:
///
/// 1. stable only takes a template that passed every analysis step of the list in force, or was promoted by an
///    action; a broken template never becomes stable without an action;
/// 2. every analysis step that advanced added its own minimum of fresh data in its window, and the analysis said
///    promote;
/// 3. the route never carries more than the available canary pods serve (`100 × available ÷ replicas`);
/// 4. an action id acts at most once per Rollout;
/// 5. a rolled-back or aborted template never becomes stable without a retry or a new template;
/// 6. a controller restarted from status alone decides as one that never restarted.
struct SimulationOracle {
    /// What one reconcile saw and did.
    struct Pass {
        var before: RolloutStatus
        var plan: Plan
        var restarted: Plan
        var input: PlanInput
        var interval: IntervalResult?
        var routeAfter: Int?
        var canaryObserved: DeploymentObservation?
        var healthy: [String: Bool]
        var tick: Int
        var routed: Bool
        var contested: Bool
    }

    /// The canary being followed, and what it has earned.
    var canaryHash: String?
    var passed: [Int: String] = [:]
    var promotedFullByAction = false
    var promotedByAction: Set<String> = []
    var stopped: Set<String> = []
    var acted: Set<String> = []
    /// Fresh data of the step the canary is at: intervals with data and canary requests.
    var stepIntervals = 0
    var stepRequests = 0
    /// Counts for the report.
    var promotions = 0
    /// Stops by reason (rollbacks and aborts).
    var stops: [String: Int] = [:]
    var holds: Set<String> = []

    mutating func check(_ p: Pass) -> String? {
        let after = p.plan.status
        let hashBefore = p.before.canaryTemplateHash
        let hashAfter = after.canaryTemplateHash
        if hashBefore != canaryHash { follow(hashBefore) }

        // 6. The same decision from status alone.
        if p.restarted.status != p.plan.status || p.restarted.deployments != p.plan.deployments || p.restarted.routeWeight != p.plan.routeWeight {
            return "a controller restarted from status decides differently: phase \(p.restarted.status.phase?.rawValue ?? "-") vs \(after.phase?.rawValue ?? "-"), message \(p.restarted.status.message ?? "") vs \(after.message ?? "")"
        }

        // 4. Action ids.
        var promotedHere = false
        if let action = after.lastAction, action != p.before.lastAction {
            if acted.contains(action.id) { return "action id \(action.id) acted on twice (\(action.action): \(action.message ?? ""))" }
            acted.insert(action.id)
            let did = !p.plan.events.contains { $0.reason == "ActionIgnored" }
            // The canary the action acted on: a new template applied with the annotation is the one it is for.
            let promotedNow = after.stableTemplateHash != p.before.stableTemplateHash ? after.stableTemplateHash : nil
            if did, let hash = hashAfter ?? promotedNow ?? hashBefore {
                if hash != canaryHash { follow(hash) }
                switch action.action {
                case "promote-full": promotedFullByAction = true; promotedByAction.insert(hash)
                case "promote": promotedHere = true; promotedByAction.insert(hash)
                case "retry": stopped.remove(hash); passed = [:]
                case "reanalyze": resetStep()
                default: break
                }
            }
        }

        // 1 and 5. What stable takes.
        if let was = p.before.stableTemplateHash, let now = after.stableTemplateHash, now != was {
            if stopped.contains(now) { return "stopped template \(after.stableVersion ?? now) became stable without a retry or a new template" }
            guard hashBefore == now else { return "stable took \(after.stableVersion ?? now), which was not the canary in flight" }
            let good = p.healthy[after.stableVersion ?? ""] ?? true
            let analysed = (p.before.canary?.steps ?? []).contains { $0.hasPrefix("analysis") }
            if !good, analysed, !promotedByAction.contains(now) {
                return "broken version \(after.stableVersion ?? now) became stable without an action"
            }
            if !promotedFullByAction {
                for (j, step) in (p.before.canary?.steps ?? []).enumerated() where step.hasPrefix("analysis") && passed[j] != step {
                    return "version \(after.stableVersion ?? now) became stable without passing step \(j + 1) (\(step))"
                }
            }
            promotions += 1
        }
        if let hash = hashAfter, let aborted = after.canary?.aborted {
            if !stopped.contains(hash) {
                let healthy = p.healthy[after.canaryVersion ?? ""] ?? true
                stops[aborted.reason + (aborted.reason == StopReason.analysisFailed.rawValue ? (healthy ? " (healthy)" : " (broken)") : ""), default: 0] += 1
                if healthy, aborted.reason == StopReason.analysisFailed.rawValue, ProcessInfo.processInfo.environment["FLEDGE_SIM_DEBUG"] != nil {
                    print("healthy rolled back at tick \(p.tick): \(aborted.message)")
                }
            }
            stopped.insert(hash)
        }
        if let held = after.canary?.hold { holds.insert(held) }
        if let outage = after.canary?.analysis?.outage { holds.insert("MetricsUnavailable:\(outage.reason)") }

        // 2. Steps passed, each on its own fresh data.
        if let result = p.interval, result.observedInterval, let n = result.canaryRequests {
            stepIntervals += 1
            stepRequests += n
        }
        if let hash = hashAfter, hash == hashBefore, let list = after.canary?.steps {
            let listBefore = p.before.canary?.steps ?? list
            let i = p.before.currentStepIndex ?? 0, k = after.currentStepIndex ?? 0
            let prefix = zip(listBefore, list).prefix { $0 == $1 }.count
            let edited = listBefore != list
            if edited { passed = passed.filter { $0.key < prefix } }
            // Steps passed in this pass: with an edit, only when the canary's step was in the unchanged prefix.
            if k > i, !edited || i < prefix {
                var analysisPasses = p.plan.events.filter { $0.reason == "AnalysisPassed" }.count
                let effective = p.plan.effective
                for j in i..<min(k, list.count) where list[j].hasPrefix("analysis") {
                    if promotedFullByAction { continue }
                    // A promote action finishes the step it was given at, now or on a later pass (while paused).
                    if j == i, promotedHere || p.before.canary?.stepComplete == true { passed[j] = list[j]; continue }
                    guard analysisPasses > 0 else { return "step \(j + 1) (\(list[j])) advanced without AnalysisPassed or an action" }
                    analysisPasses -= 1
                    guard p.interval?.decision.outcome == .promote else { return "step \(j + 1) advanced on a \(p.interval?.decision.outcome.rawValue ?? "missing") decision" }
                    if let e = effective, case .analysis(let window)? = e.steps.indices.contains(j) ? e.steps[j] : nil {
                        let windowIntervals = max(1, Int((window.seconds / e.analysis.interval.seconds).rounded()))
                        let needed = e.analysis.stepEvidence.minDataIntervals(windowIntervals: windowIntervals)
                        if stepIntervals < needed || stepRequests < e.analysis.stepEvidence.minCanaryRequests {
                            return "step \(j + 1) (\(list[j])) promoted on \(stepIntervals) intervals with data and \(stepRequests) canary requests of its own (needs \(needed) and \(e.analysis.stepEvidence.minCanaryRequests))"
                        }
                    }
                    passed[j] = list[j]
                }
            }
            if (edited && i >= prefix) || k != i || after.canary?.analysis?.step == nil { resetStep() }
        }
        if let hash = hashBefore, hash != hashAfter { stopped.remove(hash) }

        // 3. Traffic never exceeds what the canary's available pods serve.
        if p.routed, !p.contested, let hash = hashAfter, let share = p.routeAfter, share > 0, p.input.route?.problem == nil,
           let e = p.plan.effective {
            let available = p.canaryObserved?.available(running: hash) ?? 0
            if share * e.replicas > 100 * available {
                return "the route sends \(share)% to the canary with \(available) of \(e.replicas) pods available"
            }
        }
        return nil
    }

    mutating func follow(_ hash: String?) {
        canaryHash = hash
        passed = [:]
        promotedFullByAction = false
        resetStep()
    }

    mutating func resetStep() {
        stepIntervals = 0
        stepRequests = 0
    }
}
