/// What a check measures.
public enum CheckMetric: String, Codable, Sendable {
    case errorRate
    case latency
    case guardrail
    case query
}

/// One check's verdict.
public enum Verdict: String, Codable, Sendable {
    /// No evidence the canary is worse, with enough exposure to have seen it.
    case pass
    /// The canary is worse.
    case fail
    /// Data so far shows no harm, but not yet enough exposure to promote.
    case pending
    /// No usable data: never a pass.
    case noData
}

/// Counts of one track as a check saw them (over the whole rollout of this canary version).
public struct TrackSummary: Codable, Sendable, Equatable {
    public var requests: Int?
    public var events: Int?
    /// `events / requests`, or a query's value.
    public var rate: Double?

    public init(requests: Int? = nil, events: Int? = nil, rate: Double? = nil) {
        self.requests = requests
        self.events = events
        self.rate = rate
    }

    init(requests: Int, events: Int) {
        self.requests = requests
        self.events = events
        self.rate = requests > 0 ? Double(events) / Double(requests) : nil
    }
}

/// One check of a decision, with the numbers that explain it.
public struct Check: Codable, Sendable, Equatable {
    public var name: String
    public var metric: CheckMetric
    /// The `http.route`, for per-route checks.
    public var route: String?
    /// The latency threshold in seconds, for latency checks.
    public var threshold: Double?
    public var canary: TrackSummary?
    public var stable: TrackSummary?
    /// The evidence `M` that the canary is worse.
    public var evidence: Double?
    /// The bound `K/α` the evidence must reach to fail.
    public var bound: Double?
    /// Canary events expected at stable's rate.
    public var exposure: Double?
    /// The exposure needed before a pass.
    public var minExposure: Double?
    public var verdict: Verdict
    public var reason: String

    public init(
        name: String, metric: CheckMetric, route: String? = nil, threshold: Double? = nil,
        canary: TrackSummary? = nil, stable: TrackSummary? = nil, evidence: Double? = nil, bound: Double? = nil,
        exposure: Double? = nil, minExposure: Double? = nil, verdict: Verdict, reason: String
    ) {
        self.name = name
        self.metric = metric
        self.route = route
        self.threshold = threshold
        self.canary = canary
        self.stable = stable
        self.evidence = evidence
        self.bound = bound
        self.exposure = exposure
        self.minExposure = minExposure
        self.verdict = verdict
        self.reason = reason
    }
}

/// The analysis's answer at one interval, with every check that led to it.
public struct Decision: Codable, Sendable, Equatable {
    /// What to do.
    public enum Outcome: String, Codable, Sendable {
        /// Keep watching: nothing failed and the window has not ended.
        case `continue`
        /// Every check passed at the window's end.
        case promote
        /// A check failed.
        case rollback
        /// The window ended without enough evidence either way.
        case inconclusive
    }

    public var outcome: Outcome
    public var checks: [Check]
    /// One line saying why.
    public var summary: String

    public init(outcome: Outcome, checks: [Check], summary: String) {
        self.outcome = outcome
        self.checks = checks
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case outcome = "decision"
        case checks
        case summary
    }

    /// The checks that failed.
    public var failedChecks: [Check] { checks.filter { $0.verdict == .fail } }
}
