/// Replays every scenario's runs through every judge on the same simulated streams, spreading
/// chunks of runs over the cores with a task group. Each run has its own seed, derived from the
/// scenario's seed and the run's index, so results do not depend on scheduling.
struct Runner: Sendable {
    /// Runs per task: small enough to balance two cores, large enough to keep overhead low.
    static let chunkSize = 100

    let scenarios: [Scenario]

    func run() async -> [CaseResult] {
        await withTaskGroup(of: (Int, CaseResult).self) { group in
            for (index, scenario) in scenarios.enumerated() {
                for start in stride(from: 0, to: scenario.runs, by: Self.chunkSize) {
                    let runs = start..<min(start + Self.chunkSize, scenario.runs)
                    group.addTask {
                        switch scenario.family {
                        case .singleStep: (index, Self.runChunk(scenario, runs: runs))
                        case .defaultSteps, .extendedSteps: (index, StepRunner.runChunk(scenario, runs: runs))
                        }
                    }
                }
            }
            var results = Array(repeating: CaseResult(), count: scenarios.count)
            for await (index, partial) in group { results[index].merge(partial) }
            return results
        }
    }

    /// The seed of one run.
    static func seed(_ scenario: Scenario, run: Int) -> UInt64 {
        var mix = SplitMix64(seed: scenario.seed ^ (UInt64(run) &* 0xD1B5_4A32_D192_ED03))
        return mix.next()
    }

    /// The single 30-minute step: every judge on the same stream; at the end, `conclude`.
    static func runChunk(_ scenario: Scenario, runs: Range<Int>) -> CaseResult {
        let model = TrafficModel(scenario: scenario)
        let kinds = JudgeKind.allCases
        var result = CaseResult()
        for run in runs {
            var rng = Xoshiro256StarStar(seed: seed(scenario, run: run))
            let baseline = model.baseline(&rng)
            var judges: [(any Judge)?] = kinds.map {
                $0.applies(to: scenario) ? $0.make(for: scenario, baseline: baseline) : nil
            }
            var rolledBackAt = [Int?](repeating: nil, count: kinds.count)
            for minute in 1...Scenario.intervals {
                guard judges.indices.contains(where: { judges[$0] != nil && rolledBackAt[$0] == nil }) else { break }
                let interval = model.interval(&rng)
                for i in judges.indices where rolledBackAt[i] == nil {
                    guard var judge = judges[i] else { continue }
                    judges[i] = nil  // keep the judge's state uniquely referenced while it mutates
                    if judge.observe(interval, minute: minute) { rolledBackAt[i] = minute }
                    judges[i] = judge
                }
            }
            for i in kinds.indices {
                guard let judge = judges[i] else { continue }
                result.judges[i].runs += 1
                if let minute = rolledBackAt[i] {
                    result.judges[i].rollbacksAt[minute] += 1
                    for cause in judge.rollbackCauses { result.judges[i].causes[cause, default: 0] += 1 }
                } else {
                    let conclusion = judge.conclude()
                    if conclusion.promotes {
                        result.judges[i].promotedAt[Scenario.intervals] += 1
                    } else {
                        result.judges[i].inconclusive += 1
                        result.judges[i].inconclusiveAtStep[1, default: 0] += 1
                        for blocker in conclusion.blockers { result.judges[i].blockers[blocker, default: 0] += 1 }
                    }
                }
            }
        }
        return result
    }
}
