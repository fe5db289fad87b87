import CanaryAnalysis

/// A rule that watches a canary minute by minute and may roll it back. Every judge of a run sees
/// the same simulated intervals.
protocol Judge {
    /// Judges one more interval (`minute` counts from 1); true when the judge rolls back now.
    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool
    /// The verdict at the end of the window when the judge never rolled back. Threshold rules
    /// always promote.
    func conclude() -> Conclusion
    /// Whether the runner should keep feeding intervals after this judge rolled back.
    var wantsIntervalsAfterRollback: Bool { get }
    /// After a rollback: what the judge rolled back on, by kind (empty when it cannot say).
    var rollbackCauses: [String] { get }
}

extension Judge {
    var wantsIntervalsAfterRollback: Bool { false }
    var rollbackCauses: [String] { [] }
}

/// A judge's verdict at the end of the window.
struct Conclusion: Sendable {
    var promotes: Bool
    /// For an inconclusive verdict: the checks that had not passed, by kind.
    var blockers: [String] = []

    static let promote = Conclusion(promotes: true)
}

/// The judges of the benchmark, in the order the report shows them.
enum JudgeKind: String, CaseIterable, Sendable {
    case ours
    case oursAlpha005
    case flagger
    case argo
    case p99Ratio
    case repeatedTests
    case repeatedTestsPerRoute

    /// Column title.
    var title: String {
        switch self {
        case .ours: "Fledge (default, α=0.02)"
        case .oursAlpha005: "Fledge α=0.05"
        case .flagger: "Flagger built-ins"
        case .argo: "Argo Δerr ≤ 0.1 pp"
        case .p99Ratio: "p99 ratio ≤ 1.2"
        case .repeatedTests: "95% tests, service"
        case .repeatedTestsPerRoute: "95% tests, per route"
        }
    }

    /// What the judge does, for the report's legend.
    var legend: String {
        switch self {
        case .ours: "CanaryAnalyzer, default configuration (α = β = 0.02, default margins; `perRoute` on for 10 routes; the schedule and a 10-minute baseline fix which tests gate promotion); rolls back at the first `rollback`, else `conclude` at the window's end → promote or inconclusive"
        case .oursAlpha005: "the same with α = 0.05, the other candidate for the default (see the targets below)"
        case .flagger: "per minute canary success rate ≥ 99% and canary p99 ≤ 500 ms (histogram_quantile interpolation); roll back when failed checks reach 5 (no data counts as failed)"
        case .argo: "per minute canary − stable error rate ≤ 0.1 pp; roll back when failed measurements exceed failureLimit 3"
        case .p99Ratio: "per minute canary p99 ÷ stable p99 ≤ 1.2; roll back when failures exceed failureLimit 3"
        case .repeatedTests: "every minute on the cumulative service data: one-sided two-proportion z-test (errors) and one-sided Mann–Whitney (binned latency, normal approximation with tie correction), 95% each; roll back at the first rejection"
        case .repeatedTestsPerRoute: "the same on the service and on each of the 10 routes, no multiplicity correction (10-route cases only)"
        }
    }

    /// Whether the judge applies to a scenario: the per-route tests to ten routes; with the controller's
    /// self-extension, only Fledge (the stream follows its steps); α = 0.05 on the single step only.
    func applies(to scenario: Scenario) -> Bool {
        switch scenario.family {
        case .extendedSteps: return self == .ours
        case .defaultSteps: return self != .oursAlpha005 && (self != .repeatedTestsPerRoute || scenario.routeCount > 1)
        case .singleStep: return self != .repeatedTestsPerRoute || scenario.routeCount > 1
        }
    }

    /// Fledge's configuration for a scenario: the default, per route for ten routes, the scenario's schedule.
    static func fledgeConfiguration(for scenario: Scenario, alpha: Double? = nil) -> AnalysisConfiguration {
        var configuration = AnalysisConfiguration()
        configuration.perRoute = scenario.routeCount > 1
        configuration.schedule = scenario.schedule
        if let alpha { configuration.alpha = alpha }
        return configuration
    }

    /// A fresh judge for one run, with the run's baseline.
    func make(for scenario: Scenario, baseline: Baseline) -> any Judge {
        switch self {
        case .ours: return FledgeJudge(configuration: Self.fledgeConfiguration(for: scenario), baseline: baseline)
        case .oursAlpha005: return FledgeJudge(configuration: Self.fledgeConfiguration(for: scenario, alpha: 0.05), baseline: baseline)
        case .flagger: return FlaggerJudge()
        case .argo: return ArgoJudge()
        case .p99Ratio: return P99RatioJudge()
        case .repeatedTests: return RepeatedTestsJudge(perRoute: false)
        case .repeatedTestsPerRoute: return RepeatedTestsJudge(perRoute: true)
        }
    }
}
