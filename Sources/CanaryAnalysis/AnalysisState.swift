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
    /// The non-inferiority test's log likelihood ratios (one per grid point and alternative, see
    /// ``NonInferiorityTest``): the evidence that the canary is not worse than the margin.
    public var promotionLogLikelihoods: [Double] = []
    /// Requests per interval lately (exponentially weighted, the latest interval weighing 0.3), for estimating
    /// how many more intervals the bound needs at the current traffic.
    public var recentCanaryRequests: Double?
    public var recentStableRequests: Double?

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case logLikelihoods, canary, stable, informativeIntervals, failedAtInterval, promotionLogLikelihoods
        case recentCanaryRequests, recentStableRequests
    }

    /// Decodes states written before the promotion fields existed too. The rollback evidence has always been
    /// written: a state without it is damaged and fails to decode (the controller then refuses to act on the
    /// Rollout) rather than silently starting the rollback test again from nothing.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        logLikelihoods = try c.decode([Double].self, forKey: .logLikelihoods)
        canary = try c.decode(Tally.self, forKey: .canary)
        stable = try c.decode(Tally.self, forKey: .stable)
        informativeIntervals = try c.decode(Int.self, forKey: .informativeIntervals)
        failedAtInterval = try c.decodeIfPresent(Int.self, forKey: .failedAtInterval)
        promotionLogLikelihoods = try c.decodeIfPresent([Double].self, forKey: .promotionLogLikelihoods) ?? []
        recentCanaryRequests = try c.decodeIfPresent(Double.self, forKey: .recentCanaryRequests)
        recentStableRequests = try c.decodeIfPresent(Double.self, forKey: .recentStableRequests)
    }

    /// Folds one interval's requests into the recent averages.
    mutating func noteRequests(canary c: Int, stable s: Int) {
        let w = 0.3
        recentCanaryRequests = recentCanaryRequests.map { $0 * (1 - w) + Double(c) * w } ?? Double(c)
        recentStableRequests = recentStableRequests.map { $0 * (1 - w) + Double(s) * w } ?? Double(s)
    }
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
    /// The canary's share of the requests of the latest interval with requests on both tracks: which tests gate
    /// promotion at this step (``TestSpec/gatesPromotion(atShare:)``).
    public var canaryShare: Double?
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
