import CanaryAnalysis

/// Runs a scenario through a rollout's analysis steps (the default 5% → 25% → 50%), the way the controller does:
/// evidence accumulates over the rollout, a step's window is a minimum bake time, and at its end the step promotes
/// only when `conclude` says promote *and* the step added fresh data of its own (``StepEvidenceRule``). With
/// `extendedSteps` an inconclusive step extends itself, by the `remainingIntervals` the decision estimates, up to
/// 3× its window; otherwise (or when not on course) the run ends inconclusive, waiting for a person.
///
/// On `defaultSteps` the anchors' rules watch the same stream for the default 35 minutes; with extension the
/// stream follows Fledge's steps, so only Fledge runs.
enum StepRunner {
    static func runChunk(_ scenario: Scenario, runs: Range<Int>) -> CaseResult {
        let schedule = scenario.schedule
        let models = schedule.windows.map { TrafficModel(scenario: scenario, canaryShare: $0.canaryShare) }
        let extend = scenario.family == .extendedSteps
        let kinds = JudgeKind.allCases
        let fledge = kinds.firstIndex(of: .ours)!
        let rule = StepEvidenceRule()
        var result = CaseResult()
        for run in runs {
            var rng = Xoshiro256StarStar(seed: Runner.seed(scenario, run: run))
            let baseline = models[0].baseline(&rng)
            let analyzer = CanaryAnalyzer(configuration: JudgeKind.fledgeConfiguration(for: scenario))
            var state = analyzer.start(baseline: baseline)
            var anchors: [(any Judge)?] = kinds.map {
                $0 != .ours && $0.applies(to: scenario) ? $0.make(for: scenario, baseline: baseline) : nil
            }
            var anchorRolledBackAt = [Int?](repeating: nil, count: kinds.count)
            // Fledge's outcome: nil while running.
            enum Outcome { case rolledBack(Int, [String]), inconclusive(step: Int, [String]), promoted(Int) }
            var outcome: Outcome?
            var minute = 0
            for (step, window) in schedule.windows.enumerated() {
                var tally = StepTally()
                var elapsed = 0
                var length = window.intervals
                while true {
                    while elapsed < length {
                        minute += 1
                        elapsed += 1
                        let interval = models[step].interval(&rng)
                        for i in anchors.indices where anchorRolledBackAt[i] == nil {
                            guard var judge = anchors[i] else { continue }
                            anchors[i] = nil
                            if judge.observe(interval, minute: minute) { anchorRolledBackAt[i] = minute }
                            anchors[i] = judge
                        }
                        guard outcome == nil else { continue }
                        let decision = analyzer.observe(interval.sample, state: &state)
                        tally.add(canaryRequests: interval.sample.canary.requests)
                        if decision.outcome == .rollback {
                            outcome = .rolledBack(minute, FledgeJudge.kinds(of: decision.failedChecks))
                        }
                    }
                    guard outcome == nil else { break }
                    let decision = analyzer.conclude(state, scheduledShare: window.canaryShare)
                    if decision.outcome == .promote, rule.shortfall(tally, windowIntervals: window.intervals) == nil { break }
                    if extend, elapsed < window.maxIntervals, let more = decision.remainingIntervals {
                        length = min(window.maxIntervals, elapsed + max(1, more))
                        continue
                    }
                    outcome = .inconclusive(step: step + 1, FledgeJudge.conclusion(decision).blockers)
                    break
                }
                if outcome != nil && !anchors.contains(where: { $0 != nil }) { break }
            }
            if outcome == nil { outcome = .promoted(minute) }
            for i in kinds.indices {
                if i == fledge {
                    result.judges[i].runs += 1
                    switch outcome! {
                    case .rolledBack(let m, let causes):
                        result.judges[i].rollbacksAt[m] += 1
                        for cause in causes { result.judges[i].causes[cause, default: 0] += 1 }
                    case .inconclusive(let step, let blockers):
                        result.judges[i].inconclusive += 1
                        result.judges[i].inconclusiveAtStep[step, default: 0] += 1
                        for blocker in blockers { result.judges[i].blockers[blocker, default: 0] += 1 }
                    case .promoted(let m):
                        result.judges[i].promotedAt[m] += 1
                    }
                } else if anchors[i] != nil {
                    result.judges[i].runs += 1
                    if let m = anchorRolledBackAt[i] { result.judges[i].rollbacksAt[m] += 1 } else { result.judges[i].promotedAt[minute] += 1 }
                }
            }
        }
        return result
    }
}
