/// One benchmark case: the service's traffic, and how the canary differs from stable.
struct Scenario: Sendable {
    /// What the table shows, e.g. "error +1 pp".
    var name: String
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
    /// One-minute intervals judged in a step.
    static let intervals = 30
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

    /// Does the canary's regression apply to this route?
    func affects(route: Int) -> Bool { brokenRoute.map { $0 == route } ?? true }

    var rateLabel: String { "\(Int(requestsPerSecond)) req/s" }
    var routesLabel: String { routeCount == 1 ? "1 route" : "\(routeCount) routes" }
}
