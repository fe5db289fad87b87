/// The benchmark's scenarios, in the order the report lists them.
enum Cases {
    static let rates: [Double] = [20, 200]

    /// Every scenario, with run counts multiplied by `scale` (at least 10 runs each).
    static func all(scale: Double) -> [Scenario] {
        func runs(_ n: Int) -> Int { max(10, Int((Double(n) * scale).rounded())) }
        var out: [Scenario] = []
        func add(_ name: String, healthy: Bool, base: Double = 0.01, routes: Int = 1,
                 error: Double = 0, latency: LatencyModel = LatencyModel(), broken: Int? = nil) {
            for rate in rates {
                out.append(Scenario(
                    name: name, healthy: healthy, requestsPerSecond: rate, baseErrorRate: base, routeCount: routes,
                    canaryErrorIncrease: error, canaryLatency: latency, brokenRoute: broken,
                    runs: runs(healthy ? 2000 : 1000), seed: fnv1a("\(name)|\(rate)")))
            }
        }
        add("healthy, 0.1% errors, 1 route", healthy: true, base: 0.001)
        add("healthy, 0.1% errors, 10 routes", healthy: true, base: 0.001, routes: 10)
        add("healthy, 1% errors, 1 route", healthy: true)
        add("healthy, 1% errors, 10 routes", healthy: true, routes: 10)
        add("errors +0.5 pp (1% → 1.5%)", healthy: false, error: 0.005)
        add("errors +1 pp (1% → 2%, doubling)", healthy: false, error: 0.01)
        add("errors +5 pp (1% → 6%)", healthy: false, error: 0.05)
        add("latency ×1.1", healthy: false, latency: LatencyModel(scale: 1.1))
        add("latency ×1.2", healthy: false, latency: LatencyModel(scale: 1.2))
        add("latency ×1.5", healthy: false, latency: LatencyModel(scale: 1.5))
        add("tail: 1% of requests +300 ms", healthy: false, latency: LatencyModel(tailShare: 0.01, tailDelay: 0.3))
        add("route 5 of 10 errors +5 pp", healthy: false, routes: 10, error: 0.05, broken: 4)
        return out
    }

    /// The error-rate doubling scenarios, whose exposure requirement the power target uses.
    static func doublingIndices(_ scenarios: [Scenario]) -> Set<Int> {
        Set(scenarios.indices.filter { scenarios[$0].name.hasPrefix("errors +1 pp") })
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
