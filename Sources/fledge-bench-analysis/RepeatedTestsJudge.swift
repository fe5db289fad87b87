/// Fixed-sample 95% tests re-run every interval on the cumulative data, the way a dashboard or a
/// naive analysis would: a one-sided two-proportion z-test on the error rate and a one-sided
/// Mann–Whitney test on the binned latencies (normal approximation, tie-corrected variance).
/// Rolls back at the first rejection of either, on the service or, with `perRoute`, on any route
/// (no multiplicity correction).
struct RepeatedTestsJudge: Judge {
    /// One-sided 95%: z > 1.6449.
    static let critical = 1.6448536269514722
    let perRoute: Bool
    private var service = RouteInterval()
    private var routes: [RouteInterval] = []

    init(perRoute: Bool) { self.perRoute = perRoute }

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        service.stable.add(interval.stable)
        service.canary.add(interval.canary)
        if Self.rejects(service) { return true }
        guard perRoute else { return false }
        if routes.isEmpty { routes = Array(repeating: RouteInterval(), count: interval.routes.count) }
        var rejected = false
        for i in interval.routes.indices {
            routes[i].stable.add(interval.routes[i].stable)
            routes[i].canary.add(interval.routes[i].canary)
            if Self.rejects(routes[i]) { rejected = true }
        }
        return rejected
    }

    func conclude() -> Conclusion { .promote }

    static func rejects(_ counts: RouteInterval) -> Bool {
        errorZ(canary: counts.canary, stable: counts.stable) > critical
            || mannWhitneyZ(canary: counts.canary.bins, stable: counts.stable.bins) > critical
    }

    /// z of the pooled two-proportion test; positive when the canary fails more often.
    static func errorZ(canary c: TrackInterval, stable s: TrackInterval) -> Double {
        guard c.requests > 0, s.requests > 0 else { return 0 }
        let nc = Double(c.requests), ns = Double(s.requests)
        let pooled = Double(c.errors + s.errors) / (nc + ns)
        let se = (pooled * (1 - pooled) * (1 / nc + 1 / ns)).squareRoot()
        guard se > 0 else { return 0 }
        return (Double(c.errors) / nc - Double(s.errors) / ns) / se
    }

    /// z of the Mann–Whitney U statistic for "canary slower than stable" on binned data: a pair
    /// in the same bucket is a tie (counts ½); the variance is corrected for ties.
    static func mannWhitneyZ(canary: [Int], stable: [Int]) -> Double {
        let nc = Double(canary.reduce(0, +)), ns = Double(stable.reduce(0, +))
        guard nc > 0, ns > 0 else { return 0 }
        var u = 0.0, stableBelow = 0.0, tieTerm = 0.0
        for i in canary.indices {
            let c = Double(canary[i]), s = Double(stable[i])
            u += c * (stableBelow + 0.5 * s)
            stableBelow += s
            let t = c + s
            tieTerm += t * t * t - t
        }
        let n = nc + ns
        let variance = nc * ns / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 0 }
        return (u - nc * ns / 2) / variance.squareRoot()
    }
}
