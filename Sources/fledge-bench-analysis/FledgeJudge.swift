import CanaryAnalysis

/// Fledge's own judge on the single step: the library's ``CanaryAnalyzer``, rolling back at the first
/// `rollback` and asking `conclude` at the window's end.
struct FledgeJudge: Judge {
    let analyzer: CanaryAnalyzer
    var state: AnalysisState
    private(set) var rolledBack = false
    /// The kinds of check that had failed when the judge first rolled back.
    private(set) var rollbackCauses: [String] = []

    init(configuration: AnalysisConfiguration, baseline: Baseline) {
        analyzer = CanaryAnalyzer(configuration: configuration)
        state = analyzer.start(baseline: baseline)
    }

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        let decision = analyzer.observe(interval.sample, state: &state)
        if decision.outcome == .rollback, !rolledBack {
            rolledBack = true
            rollbackCauses = Self.kinds(of: decision.failedChecks)
        }
        return rolledBack
    }

    func conclude() -> Conclusion {
        Self.conclusion(analyzer.conclude(state))
    }

    /// A conclusion from a decision: promote, or the kinds of check that blocked it.
    static func conclusion(_ decision: Decision) -> Conclusion {
        guard decision.outcome != .promote else { return .promote }
        let blockers = decision.checks.filter { $0.verdict != .pass && $0.gatesPromotion != false }
        return Conclusion(promotes: false, blockers: kinds(of: blockers, withVerdict: true))
    }

    /// Check names with the route replaced by "route" (so that routes add up), deduplicated.
    static func kinds(of checks: [Check], withVerdict: Bool = false) -> [String] {
        Set(checks.map { check -> String in
            var name = check.name
            if let route = check.route, name.hasPrefix(route + " ") { name = "route " + name.dropFirst(route.count + 1) }
            return withVerdict ? "\(name) (\(check.verdict.rawValue))" : name
        }).sorted()
    }
}
