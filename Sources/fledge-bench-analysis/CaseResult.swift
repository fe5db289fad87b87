/// What the runs of one scenario produced, per judge; chunks of runs merge into one.
struct CaseResult: Sendable {
    /// Per judge (indexed like `JudgeKind.allCases`).
    var judges: [JudgeResult]
    /// For the scenario whose exposure is tracked: per run, the minute the service error-rate
    /// check reached its minimum exposure (nil if never), and the minute Fledge rolled back.
    var exposureRuns: [ExposureRun] = []

    init() { judges = JudgeKind.allCases.map { _ in JudgeResult() } }

    mutating func merge(_ other: CaseResult) {
        for i in judges.indices { judges[i].merge(other.judges[i]) }
        exposureRuns += other.exposureRuns
    }
}

/// One run's exposure record.
struct ExposureRun: Sendable {
    var reachedAt: Int?
    var rolledBackAt: Int?
    var finalExposure: Double
    var finalMinimum: Double
}

/// One judge's outcomes over the runs of one scenario.
struct JudgeResult: Sendable {
    var runs = 0
    /// `rollbacksAt[m]`: runs rolled back at minute m (1...30).
    var rollbacksAt = [Int](repeating: 0, count: Scenario.intervals + 1)
    var promoted = 0
    var inconclusive = 0
    /// For inconclusive runs: how often each kind of check had not passed.
    var blockers: [String: Int] = [:]
    /// For rolled-back runs (when the judge can say): how often each kind of check had failed.
    var causes: [String: Int] = [:]

    var rolledBack: Int { rollbacksAt.reduce(0, +) }

    mutating func merge(_ other: JudgeResult) {
        runs += other.runs
        for i in rollbacksAt.indices { rollbacksAt[i] += other.rollbacksAt[i] }
        promoted += other.promoted
        inconclusive += other.inconclusive
        blockers.merge(other.blockers, uniquingKeysWith: +)
        causes.merge(other.causes, uniquingKeysWith: +)
    }

    func share(_ count: Int) -> Double { runs == 0 ? 0 : Double(count) / Double(runs) }

    /// Share of runs rolled back at or before `minute`.
    func caught(by minute: Int) -> Double {
        share(rollbacksAt.prefix(min(minute, Scenario.intervals) + 1).reduce(0, +))
    }

    /// The median minute of rollback among the runs rolled back (lower median), nil if none.
    var medianRollbackMinute: Int? {
        let total = rolledBack
        guard total > 0 else { return nil }
        var seen = 0
        for (minute, count) in rollbacksAt.enumerated() {
            seen += count
            if 2 * seen >= total { return minute }
        }
        return nil
    }
}
