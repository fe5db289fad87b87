/// The benchmark's scenarios, in the order the report lists them.
enum Cases {
    static let rates: [Double] = [20, 200]

    /// Stable's share of requests slower than 250 ms, the bound stable's p99 snaps to.
    static let slowShare = 1 - LatencyModel().cdf(0.25)

    /// A canary whose share of requests slower than 250 ms is `ratio` times stable's: a share of requests delayed
    /// by 300 ms (each of them then exceeds 250 ms).
    static func slowShare(times ratio: Double) -> LatencyModel {
        LatencyModel(tailShare: (ratio - 1) * slowShare / (1 - slowShare), tailDelay: 0.3)
    }

    /// Every scenario, with run counts multiplied by `scale` (at least 10 runs each).
    static func all(scale: Double) -> [Scenario] {
        func runs(_ n: Int) -> Int { max(10, Int((Double(n) * scale).rounded())) }
        var out: [Scenario] = []
        func add(_ name: String, healthy: Bool, base: Double = 0.01, routes: Int = 1, error: Double = 0,
                 latency: LatencyModel = LatencyModel(), broken: Int? = nil,
                 families: [Scenario.Family] = [.singleStep, .defaultSteps, .extendedSteps]) {
            for family in families {
                for rate in rates where family != .extendedSteps || rate == 20 {
                    let n = family == .singleStep ? (healthy ? 2000 : 1000) : (healthy ? 1000 : 500)
                    out.append(Scenario(
                        name: name, family: family, healthy: healthy, requestsPerSecond: rate, baseErrorRate: base,
                        routeCount: routes, canaryErrorIncrease: error, canaryLatency: latency, brokenRoute: broken,
                        runs: runs(n), seed: fnv1a(family == .singleStep ? "\(name)|\(rate)" : "\(name)|\(rate)|\(family.rawValue)")))
                }
            }
        }
        let single: [Scenario.Family] = [.singleStep]
        let steps: [Scenario.Family] = [.defaultSteps, .extendedSteps]
        add("healthy, 0.1% errors, 1 route", healthy: true, base: 0.001)
        add("healthy, 0.1% errors, 10 routes", healthy: true, base: 0.001, routes: 10)
        add("healthy, 1% errors, 1 route", healthy: true)
        add("healthy, 1% errors, 10 routes", healthy: true, routes: 10)
        add("errors +0.5 pp (1% → 1.5%)", healthy: false, error: 0.005, families: single)
        add("errors +1 pp (1% → 2%, doubling)", healthy: false, error: 0.01)
        add("errors +5 pp (1% → 6%)", healthy: false, error: 0.05)
        add("latency ×1.1", healthy: false, latency: LatencyModel(scale: 1.1), families: single)
        add("latency ×1.2", healthy: false, latency: LatencyModel(scale: 1.2), families: single)
        add("latency ×1.5", healthy: false, latency: LatencyModel(scale: 1.5), families: single)
        add("tail: 1% of requests +300 ms", healthy: false, latency: LatencyModel(tailShare: 0.01, tailDelay: 0.3))
        add("route 5 of 10 errors +5 pp", healthy: false, routes: 10, error: 0.05, broken: 4)
        add("margin: errors 1% → 2.2% (just beyond 2×)", healthy: false, error: 0.012, families: steps)
        add("margin ×2: errors 1% → 3% (+2 pp)", healthy: false, error: 0.02, families: steps)
        add("margin: errors 0.1% → 0.65% (just beyond +0.5 pp)", healthy: false, base: 0.001, error: 0.0055, families: steps)
        add("margin ×2: errors 0.1% → 1.1% (+1 pp)", healthy: false, base: 0.001, error: 0.01, families: steps)
        add("margin: slow share 2.2× (just beyond 2×)", healthy: false, latency: slowShare(times: 2.2), families: steps)
        add("margin ×2: slow share 3×", healthy: false, latency: slowShare(times: 3), families: steps)
        return out
    }

    /// A stable 64-bit hash of a name (FNV-1a), so seeds survive reordering the cases.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
