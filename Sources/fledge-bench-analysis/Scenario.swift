import CanaryAnalysis

/// One benchmark case: the service's traffic, how the canary differs from stable, and the steps it runs through.
struct Scenario: Sendable {
    /// The step schedule a case runs through.
    enum Family: String, Sendable, CaseIterable {
        /// One 30-minute step at a 5% canary (the anchors' setting).
        case singleStep
        /// Fledge's default steps: 5% for 10 minutes, 25% for 10, 50% for 15.
        case defaultSteps
        /// The default steps, each extended by the controller up to 3× its window while `remainingIntervals`
        /// says the bound is on course.
        case extendedSteps
    }

    /// What the table shows, e.g. "error +1 pp".
    var name: String
    var family: Family = .singleStep
    /// Whether a rollback is a false alarm (healthy) or a catch (broken).
    var healthy: Bool
    /// Requests per second to the whole service (both tracks).
    var requestsPerSecond: Double
    /// Stable's (and a healthy canary's) error rate.
    var baseErrorRate: Double
    /// Number of routes; traffic splits Zipf-like (route k gets a share ∝ 1/k).
    var routeCount: Int
    /// Added to the canary's error rate (on `brokenRoute` only, when set).
    var canaryErrorIncrease: Double = 0
    /// The canary's latency on the affected routes.
    var canaryLatency = LatencyModel()
    /// When set, only this route (0-based, busiest first) of the canary is affected.
    var brokenRoute: Int?
    var runs: Int
    var seed: UInt64

    /// Share of traffic sent to the canary.
    static let canaryShare = 0.05
    /// One-minute intervals judged in the single step.
    static let intervals = 30
    /// The longest run in minutes (the default steps, each extended 3×).
    static let maxMinutes = 3 * 35
    static let intervalSeconds = 60.0
    /// Minutes of stable-only traffic before the canary that fix latency thresholds and routes.
    static let baselineMinutes = 10.0

    /// Route names, busiest first.
    var routeNames: [String] { (0..<routeCount).map { "/api/r\($0 + 1)" } }

    /// Each route's share of traffic.
    var routeShares: [Double] {
        let weights = (1...routeCount).map { 1 / Double($0) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// The analysis windows the case runs through (the single step: 30 intervals, extensible to 90).
    var schedule: RolloutSchedule {
        switch family {
        case .singleStep: RolloutSchedule(intervalSeconds: Self.intervalSeconds,
                                          windows: [.init(canaryShare: Self.canaryShare, intervals: Self.intervals)])
        case .defaultSteps, .extendedSteps: .defaultSteps
        }
    }

    /// Does the canary's regression apply to this route?
    func affects(route: Int) -> Bool { brokenRoute.map { $0 == route } ?? true }

    var familyLabel: String {
        switch family {
        case .singleStep: "single step"
        case .defaultSteps: "default steps"
        case .extendedSteps: "steps + extension"
        }
    }

    var rateLabel: String { "\(Int(requestsPerSecond)) req/s" }
    var routesLabel: String { routeCount == 1 ? "1 route" : "\(routeCount) routes" }
}
