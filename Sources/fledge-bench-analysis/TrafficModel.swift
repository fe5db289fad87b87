import CanaryAnalysis

/// Generates a scenario's traffic exactly and fast by Poisson thinning: requests are a Poisson
/// process, so the counts of failed and successful requests in each latency bucket of each
/// (track, route, interval) are independent Poisson variates with means
/// `λ·P(bucket)·p` and `λ·P(bucket)·(1−p)`.
struct TrafficModel: Sendable {
    let scenario: Scenario
    /// Per route: per bucket (error mean, success mean) for one interval, stable then canary.
    private let stableMeans: [[(error: Double, ok: Double)]]
    private let canaryMeans: [[(error: Double, ok: Double)]]
    /// Per route: per bucket means over the whole stable-only baseline.
    private let baselineMeans: [[(error: Double, ok: Double)]]

    /// The model of `scenario` with the canary at `canaryShare` of the traffic.
    init(scenario: Scenario, canaryShare: Double = Scenario.canaryShare) {
        self.scenario = scenario
        let perInterval = scenario.requestsPerSecond * Scenario.intervalSeconds
        let stableProbabilities = LatencyModel().bucketProbabilities
        let canaryProbabilities = scenario.canaryLatency.bucketProbabilities
        func means(_ requests: Double, _ probabilities: [Double], _ errorRate: Double) -> [(error: Double, ok: Double)] {
            probabilities.map { (requests * $0 * errorRate, requests * $0 * (1 - errorRate)) }
        }
        var stable: [[(error: Double, ok: Double)]] = []
        var canary: [[(error: Double, ok: Double)]] = []
        var baseline: [[(error: Double, ok: Double)]] = []
        for (route, share) in scenario.routeShares.enumerated() {
            let p = scenario.baseErrorRate
            stable.append(means(perInterval * share * (1 - canaryShare), stableProbabilities, p))
            let affected = scenario.affects(route: route)
            canary.append(means(perInterval * share * canaryShare,
                                affected ? canaryProbabilities : stableProbabilities,
                                affected ? p + scenario.canaryErrorIncrease : p))
            baseline.append(means(perInterval * Scenario.baselineMinutes * share, stableProbabilities, p))
        }
        stableMeans = stable
        canaryMeans = canary
        baselineMeans = baseline
    }

    private static func draw(_ means: [(error: Double, ok: Double)], _ rng: inout Xoshiro256StarStar) -> TrackInterval {
        var track = TrackInterval()
        for (i, m) in means.enumerated() {
            let errors = Poisson.sample(mean: m.error, using: &rng)
            let ok = Poisson.sample(mean: m.ok, using: &rng)
            track.bins[i] = errors + ok
            track.errors += errors
            track.requests += errors + ok
        }
        return track
    }

    /// Stable's traffic before the canary starts, at the service's full rate.
    func baseline(_ rng: inout Xoshiro256StarStar) -> Baseline {
        var baseline = Baseline(intervals: Scenario.baselineMinutes * 60 / Scenario.intervalSeconds)
        let names = scenario.routeNames
        var routes: [String: TrackCounts] = [:]
        var total = TrackInterval()
        for (route, means) in baselineMeans.enumerated() {
            let track = Self.draw(means, &rng)
            total.add(track)
            if scenario.routeCount > 1 { routes[names[route]] = track.trackCounts }
        }
        baseline.add(stable: total.trackCounts, routes: routes)
        return baseline
    }

    /// One interval of the canary step.
    func interval(_ rng: inout Xoshiro256StarStar) -> SimulatedInterval {
        var routes: [RouteInterval] = []
        routes.reserveCapacity(scenario.routeCount)
        for route in 0..<scenario.routeCount {
            routes.append(RouteInterval(stable: Self.draw(stableMeans[route], &rng),
                                        canary: Self.draw(canaryMeans[route], &rng)))
        }
        return SimulatedInterval(routes: routes, routeNames: scenario.routeNames)
    }
}
