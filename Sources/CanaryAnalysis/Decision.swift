/// What a check measures.
public enum CheckMetric: String, Codable, Sendable {
    case errorRate
    case latency
    case guardrail
    case query
}

/// One check's verdict.
public enum Verdict: String, Codable, Sendable {
    /// Not worse, and good enough: the upper confidence bound on the regression is below the margin (or the
    /// test does not gate promotion at this step, `gatesPromotion == false`, and has not failed).
    case pass
    /// The canary is worse.
    case fail
    /// No failure, but the bound is not yet below the margin.
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
    /// The exposure needed before a pass (set only by analyses made before promotion became a non-inferiority
    /// decision; kept so that their records decode).
    public var minExposure: Double?
    /// The anytime-valid upper confidence bound on the canary's event rate ÷ stable's (nil: above 5 × margin, or
    /// no evidence yet).
    public var regressionBound: Double?
    /// The largest ratio accepted: the check is good enough when `regressionBound` is below it.
    public var regressionMargin: Double?
    /// The confidence of `regressionBound`, `1 − β`.
    public var confidence: Double?
    /// Whether the check gates promotion at this step (false: it gates rollback only, now or always).
    public var gatesPromotion: Bool?
    /// For a gating check not yet good enough: intervals at the current traffic until its bound would be below
    /// the margin if the canary keeps behaving as observed (nil: not on course, or not estimable).
    public var remainingIntervals: Int?
    public var verdict: Verdict
    public var reason: String

    public init(
        name: String, metric: CheckMetric, route: String? = nil, threshold: Double? = nil,
        canary: TrackSummary? = nil, stable: TrackSummary? = nil, evidence: Double? = nil, bound: Double? = nil,
        exposure: Double? = nil, minExposure: Double? = nil, regressionBound: Double? = nil, regressionMargin: Double? = nil,
        confidence: Double? = nil, gatesPromotion: Bool? = nil, remainingIntervals: Int? = nil, verdict: Verdict, reason: String
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
        self.regressionBound = regressionBound
        self.regressionMargin = regressionMargin
        self.confidence = confidence
        self.gatesPromotion = gatesPromotion
        self.remainingIntervals = remainingIntervals
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
    /// At an inconclusive conclusion: further intervals at the current traffic after which every gating check's
    /// bound would be below its margin if the canary keeps behaving as observed. Nil when not on course (a
    /// check's observed ratio is above its margin, a user check is not passing) or not estimable.
    public var remainingIntervals: Int?

    public init(outcome: Outcome, checks: [Check], summary: String, remainingIntervals: Int? = nil) {
        self.outcome = outcome
        self.checks = checks
        self.summary = summary
        self.remainingIntervals = remainingIntervals
    }

    enum CodingKeys: String, CodingKey {
        case outcome = "decision"
        case checks
        case summary
        case remainingIntervals
    }

    /// The checks that failed.
    public var failedChecks: [Check] { checks.filter { $0.verdict == .fail } }
}
