/// Running totals of one track for one test.
public struct Tally: Codable, Sendable, Equatable {
    public var requests: Int = 0
    public var events: Int = 0

    public init(requests: Int = 0, events: Int = 0) {
        self.requests = requests
        self.events = events
    }

    var rate: Double? { requests > 0 ? Double(events) / Double(requests) : nil }
    var summary: TrackSummary { TrackSummary(requests: requests, events: events) }
}

/// The accumulated evidence of one test across every interval of one canary version.
public struct TestState: Codable, Sendable, Equatable {
    /// Log likelihood ratio per alternative ratio of the sequential test.
    public var logLikelihoods: [Double] = []
    /// Totals over intervals where both tracks had requests.
    public var canary = Tally()
    public var stable = Tally()
    /// Intervals that carried evidence (both tracks served requests and saw an event).
    public var informativeIntervals = 0
    /// Set once the evidence crossed the bound; a failure is never undone.
    public var failedAtInterval: Int?

    public init() {}
}

/// Everything the analysis of one canary version remembers between intervals. It is `Codable`
/// so a controller can keep it in the Rollout's status and resume after a restart.
public struct AnalysisState: Codable, Sendable, Equatable {
    public var plan: AnalysisPlan
    public var tests: [TestState]
    /// Intervals observed (including ones with no data).
    public var intervals = 0
    /// Guardrail totals (whole-service counts).
    public var guardrailCanary = Tally()
    public var guardrailStable = Tally()
    public var guardrailFailedAtInterval: Int?
    /// Per user check: consecutive failing intervals, the last values, and whether it failed for good.
    public var queries: [String: QueryState] = [:]

    public init(plan: AnalysisPlan) {
        self.plan = plan
        self.tests = Array(repeating: TestState(), count: plan.tests.count)
    }
}

/// A user check's memory.
public struct QueryState: Codable, Sendable, Equatable {
    public var consecutiveFailures = 0
    public var failedAtInterval: Int?
    public var last: QueryValues?

    public init() {}
}
