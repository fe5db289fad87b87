/// What the runs of one scenario produced, per judge; chunks of runs merge into one.
struct CaseResult: Sendable {
    /// Per judge (indexed like `JudgeKind.allCases`).
    var judges: [JudgeResult]

    init() { judges = JudgeKind.allCases.map { _ in JudgeResult() } }

    mutating func merge(_ other: CaseResult) {
        for i in judges.indices { judges[i].merge(other.judges[i]) }
    }
}

/// One judge's outcomes over the runs of one scenario.
struct JudgeResult: Sendable {
    var runs = 0
    /// `rollbacksAt[m]`: runs rolled back at minute m.
    var rollbacksAt = [Int](repeating: 0, count: Scenario.maxMinutes + 1)
    /// `promotedAt[m]`: runs promoted (every step) at minute m.
    var promotedAt = [Int](repeating: 0, count: Scenario.maxMinutes + 1)
    var inconclusive = 0
    /// For inconclusive runs: how often each kind of check had not passed.
    var blockers: [String: Int] = [:]
    /// For rolled-back runs (when the judge can say): how often each kind of check had failed.
    var causes: [String: Int] = [:]
    /// For inconclusive runs of Fledge: the step (1-based) that ended inconclusive.
    var inconclusiveAtStep: [Int: Int] = [:]

    var rolledBack: Int { rollbacksAt.reduce(0, +) }
    var promoted: Int { promotedAt.reduce(0, +) }

    mutating func merge(_ other: JudgeResult) {
        runs += other.runs
        for i in rollbacksAt.indices { rollbacksAt[i] += other.rollbacksAt[i] }
        for i in promotedAt.indices { promotedAt[i] += other.promotedAt[i] }
        inconclusive += other.inconclusive
        blockers.merge(other.blockers, uniquingKeysWith: +)
        causes.merge(other.causes, uniquingKeysWith: +)
        inconclusiveAtStep.merge(other.inconclusiveAtStep, uniquingKeysWith: +)
    }

    func share(_ count: Int) -> Double { runs == 0 ? 0 : Double(count) / Double(runs) }

    /// Share of runs rolled back at or before `minute`.
    func caught(by minute: Int) -> Double {
        share(rollbacksAt.prefix(min(minute, Scenario.maxMinutes) + 1).reduce(0, +))
    }

    /// Share of runs promoted at or before `minute`.
    func promoted(by minute: Int) -> Double {
        share(promotedAt.prefix(min(minute, Scenario.maxMinutes) + 1).reduce(0, +))
    }

    /// The median minute of rollback among the runs rolled back (lower median), nil if none.
    var medianRollbackMinute: Int? { Self.median(rollbacksAt) }

    /// The median minute of promotion among the runs promoted (lower median), nil if none.
    var medianPromotionMinute: Int? { Self.median(promotedAt) }

    static func median(_ histogram: [Int]) -> Int? {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return nil }
        var seen = 0
        for (minute, count) in histogram.enumerated() {
            seen += count
            if 2 * seen >= total { return minute }
        }
        return nil
    }
}
