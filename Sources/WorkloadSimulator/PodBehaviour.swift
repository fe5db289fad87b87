/// How a simulated pod's app behaves, from its first container's environment (the app's own configuration,
/// so a "bad version" is just a pod template with different env):
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `DEMO_ERROR_RATE` | fraction of requests answered 500 | 0.005 |
/// | `DEMO_LATENCY_MS` | median latency (log-normal, sigma 0.4) | 40 |
/// | `DEMO_SLOW_RATE` | fraction of requests that are slow | 0 |
/// | `DEMO_SLOW_MS` | median latency of a slow request (log-normal, sigma 0.4) | 1500 |
/// | `DEMO_ROUTES` | routes and their traffic weights, `/a=0.5,/b=0.5` | `/api/cart=0.5,/api/checkout=0.3,/=0.2` |
///
/// An invalid value is reported in ``problems`` and the default is used.
public struct PodBehaviour: Sendable, Equatable {
    /// One route and its share of the pod's requests.
    public struct Route: Sendable, Equatable {
        public var path: String
        /// Normalised: the shares of all routes sum to 1.
        public var share: Double

        public init(path: String, share: Double) {
            self.path = path
            self.share = share
        }
    }

    public var errorRate: Double
    public var latencyMilliseconds: Double
    public var slowRate: Double
    public var slowMilliseconds: Double
    public var routes: [Route]
    /// Spread of the log-normal latency (of ln seconds).
    public var sigma: Double = 0.4
    /// One message per invalid variable.
    public var problems: [String] = []

    public static let defaultErrorRate = 0.005
    public static let defaultLatencyMilliseconds = 40.0
    public static let defaultSlowRate = 0.0
    public static let defaultSlowMilliseconds = 1500.0
    public static let defaultRoutes = [
        Route(path: "/api/cart", share: 0.5), Route(path: "/api/checkout", share: 0.3), Route(path: "/", share: 0.2),
    ]

    public init(errorRate: Double = defaultErrorRate, latencyMilliseconds: Double = defaultLatencyMilliseconds,
                slowRate: Double = defaultSlowRate, slowMilliseconds: Double = defaultSlowMilliseconds,
                routes: [Route] = defaultRoutes) {
        self.errorRate = errorRate
        self.latencyMilliseconds = latencyMilliseconds
        self.slowRate = slowRate
        self.slowMilliseconds = slowMilliseconds
        self.routes = routes
    }

    /// Reads the `DEMO_*` variables of `environment`.
    public init(environment: [String: String]) {
        self.init()
        errorRate = fraction("DEMO_ERROR_RATE", environment, default: Self.defaultErrorRate)
        latencyMilliseconds = positive("DEMO_LATENCY_MS", environment, default: Self.defaultLatencyMilliseconds)
        slowRate = fraction("DEMO_SLOW_RATE", environment, default: Self.defaultSlowRate)
        slowMilliseconds = positive("DEMO_SLOW_MS", environment, default: Self.defaultSlowMilliseconds)
        if let text = environment["DEMO_ROUTES"] {
            switch Self.parseRoutes(text) {
            case .success(let routes): self.routes = routes
            case .failure(let message):
                problems.append("DEMO_ROUTES=\"\(text)\" is invalid (\(message)); using the default routes")
            }
        }
    }

    private mutating func fraction(_ name: String, _ environment: [String: String], default value: Double) -> Double {
        guard let text = environment[name] else { return value }
        guard let parsed = Double(text.trimmingSpaces()), parsed >= 0, parsed <= 1 else {
            problems.append("\(name)=\"\(text)\" is not a fraction between 0 and 1; using \(value)")
            return value
        }
        return parsed
    }

    private mutating func positive(_ name: String, _ environment: [String: String], default value: Double) -> Double {
        guard let text = environment[name] else { return value }
        guard let parsed = Double(text.trimmingSpaces()), parsed.isFinite, parsed > 0 else {
            problems.append("\(name)=\"\(text)\" is not a positive number of milliseconds; using \(value)")
            return value
        }
        return parsed
    }

    /// A route-list parsing failure's message.
    struct RoutesError: Error { let message: String }

    /// Parses `route=weight,...` (weights positive, routes distinct and non-empty) into normalised shares.
    static func parseRoutes(_ text: String) -> Result<[Route], RoutesError> {
        var routes: [Route] = []
        for rawEntry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let entry = rawEntry.trimmingSpaces()
            if entry.isEmpty { continue }
            guard let equals = entry.lastIndex(of: "=") else { return .failure(RoutesError(message: "\"\(entry)\" has no \"=weight\"")) }
            let path = entry[..<equals].trimmingSpaces()
            let weightText = entry[entry.index(after: equals)...].trimmingSpaces()
            guard !path.isEmpty else { return .failure(RoutesError(message: "\"\(entry)\" has an empty route")) }
            guard let weight = Double(weightText), weight.isFinite, weight > 0 else {
                return .failure(RoutesError(message: "\"\(entry)\" has no positive weight"))
            }
            guard !routes.contains(where: { $0.path == path }) else {
                return .failure(RoutesError(message: "route \"\(path)\" appears twice"))
            }
            routes.append(Route(path: path, share: weight))
        }
        guard !routes.isEmpty else { return .failure(RoutesError(message: "no routes")) }
        let total = routes.reduce(0) { $0 + $1.share }
        return .success(routes.map { Route(path: $0.path, share: $0.share / total) })
    }
}
