import CanaryAnalysis

/// Fledge's own judge: the library's ``CanaryAnalyzer``. Optionally records the minute at which
/// the service error-rate check's exposure first reaches its minimum for the configured power
/// (it then keeps observing after a rollback, ignoring later decisions, since exposure does not
/// depend on the canary's errors).
struct FledgeJudge: Judge {
    let analyzer: CanaryAnalyzer
    var state: AnalysisState
    let trackExposure: Bool
    private(set) var rolledBack = false
    /// First minute at which exposure ≥ minimum exposure on the service error-rate check.
    private(set) var exposureReachedAt: Int?
    /// The kinds of check that had failed when the judge first rolled back.
    private(set) var rollbackCauses: [String] = []
    /// The last exposure and minimum seen on that check.
    private(set) var lastExposure: (exposure: Double, minimum: Double)?

    init(configuration: AnalysisConfiguration, baseline: Baseline, trackExposure: Bool) {
        analyzer = CanaryAnalyzer(configuration: configuration)
        state = analyzer.start(baseline: baseline)
        self.trackExposure = trackExposure
    }

    /// Whether the runner should keep feeding intervals after a rollback.
    var wantsIntervalsAfterRollback: Bool { trackExposure && exposureReachedAt == nil }

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        let decision = analyzer.observe(interval.sample, state: &state)
        if trackExposure, exposureReachedAt == nil,
           let check = decision.checks.first(where: { $0.metric == .errorRate && $0.route == nil }),
           let exposure = check.exposure, let minimum = check.minExposure {
            lastExposure = (exposure, minimum)
            if exposure >= minimum { exposureReachedAt = minute }
        }
        if decision.outcome == .rollback, !rolledBack {
            rolledBack = true
            rollbackCauses = Self.kinds(of: decision.failedChecks)
        }
        return rolledBack
    }

    func conclude() -> Conclusion {
        let decision = analyzer.conclude(state)
        guard decision.outcome != .promote else { return .promote }
        // Name the kind of check that blocked promotion, without the route: "route error rate".
        let blockers = decision.checks.filter { $0.verdict != .pass }
        return Conclusion(promotes: false, blockers: Self.kinds(of: blockers, withVerdict: true))
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
