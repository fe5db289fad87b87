import Kube
import Testing
@testable import WorkloadSimulator

@Suite struct SimulationStateTests {
    static func tagged(_ name: String, version: String, track: String, env: [String: String] = [:], ready: Bool = true,
                       namespace: String = "prod", app: String = "shop") -> PodDescription {
        var environment = env
        environment["OTEL_RESOURCE_ATTRIBUTES"] = "service.version=\(version),deployment.track=\(track)"
        return PodDescription(pod: PodFixtures.pod(name, namespace: namespace, labels: ["app": app], env: environment, ready: ready))
    }

    func byName(_ state: SimulationState) -> [String: PodSimulator] {
        Dictionary(uniqueKeysWithValues: state.pods().map { ($0.description.name, $0) })
    }

    @Test func rateIsSplitEvenlyOverTheServiceReadyPods() {
        let state = SimulationState(totalRate: 200, seed: 1)
        state.update(pods: [
            Self.tagged("shop-a", version: "1", track: "stable"), Self.tagged("shop-b", version: "1", track: "stable"),
            Self.tagged("shop-c", version: "1", track: "stable"), Self.tagged("shop-canary", version: "2", track: "canary"),
            Self.tagged("shop-starting", version: "2", track: "canary", ready: false),
            Self.tagged("cart-a", version: "1", track: "stable", app: "cart"),
            Self.tagged("shop-elsewhere", version: "1", track: "stable", namespace: "staging"),
        ])
        state.advance(bySeconds: 60)
        let pods = byName(state)
        for name in ["shop-a", "shop-b", "shop-c", "shop-canary"] { #expect(pods[name]?.rate == 50) }
        #expect(pods["shop-starting"]?.rate == 0)
        #expect(pods["shop-starting"]?.requests == 0)
        #expect(pods["shop-starting"]?.series.isEmpty == true)
        #expect(pods["cart-a"]?.rate == 200)
        #expect(pods["shop-elsewhere"]?.rate == 200)
        // 1 canary of 4 ready pods gets a quarter of 12,000 requests (sd ~47 for the share's count).
        let shop = ["shop-a", "shop-b", "shop-c", "shop-canary"].map { pods[$0]!.requests }
        let share = Double(pods["shop-canary"]!.requests) / Double(shop.reduce(0, +))
        #expect(abs(share - 0.25) < 0.02)
    }

    @Test func countersAreMonotonicAndSurviveUpdatesOfTheSamePod() {
        let state = SimulationState(totalRate: 100, seed: 1)
        let pod = Self.tagged("shop-a", version: "1", track: "stable", env: ["DEMO_ERROR_RATE": "0.3"])
        state.update(pods: [pod])
        var previous: [TrafficModel.SeriesKey: DurationHistogram] = [:]
        for step in 0..<20 {
            // Readiness flips on odd steps: no traffic then, but the counters stay.
            var current = pod
            current.ready = step % 2 == 0
            state.update(pods: [current])
            state.advance(bySeconds: 1)
            let series = state.pods()[0].series
            for (key, old) in previous {
                let new = try! #require(series[key])
                #expect(new.count >= old.count)
                #expect(zip(new.cumulative, old.cumulative).allSatisfy { $0 >= $1 })
                if !current.ready { #expect(new == old) }
            }
            previous = series
        }
        #expect(state.pods()[0].errors > 0)
    }

    @Test func aPodThatGoesAwayLosesItsSeriesAndARecreatedOneStartsFromZero() {
        let state = SimulationState(totalRate: 100, seed: 1)
        let pod = Self.tagged("shop-a", version: "1", track: "stable")
        state.update(pods: [pod])
        state.advance(bySeconds: 10)
        #expect(state.pods()[0].requests > 0)
        state.update(pods: [])
        #expect(state.pods().isEmpty)
        var recreated = pod
        recreated.uid = "another-uid"
        state.update(pods: [recreated])
        #expect(state.pods()[0].requests == 0)
    }

    @Test func deletingPodStopsServingAndItsShareGoesToTheOthers() {
        let state = SimulationState(totalRate: 100, seed: 1)
        var leaving = Self.tagged("shop-a", version: "1", track: "stable")
        leaving.deleting = true
        state.update(pods: [leaving, Self.tagged("shop-b", version: "1", track: "stable")])
        state.advance(bySeconds: 1)
        let pods = byName(state)
        #expect(pods["shop-a"]?.rate == 0)
        #expect(pods["shop-b"]?.rate == 100)
    }

    @Test func sameSeedSameCounts() {
        func counts(seed: UInt64) -> [Int] {
            let state = SimulationState(totalRate: 300, seed: seed)
            state.update(pods: [Self.tagged("shop-b", version: "1", track: "stable"), Self.tagged("shop-a", version: "2", track: "canary")])
            for _ in 0..<10 { state.advance(bySeconds: 0.25) }
            return state.pods().flatMap { [$0.requests, $0.errors] }
        }
        #expect(counts(seed: 11) == counts(seed: 11))
        #expect(counts(seed: 11) != counts(seed: 12))
    }

    @Test func stateReportCarriesIdentityRateAndTotals() {
        let state = SimulationState(totalRate: 100, seed: 1)
        state.update(pods: [Self.tagged("shop-a", version: "1.0.0", track: "stable"),
                            PodDescription(pod: PodFixtures.pod("plain-x", labels: ["app": "plain"]))])
        state.advance(bySeconds: 5)
        let report = StateReport(ratePerService: 100, seed: 1, pods: state.pods())
        let shop = try! #require(report.pods.first { $0.name == "shop-a" })
        #expect(shop.service == "shop" && shop.namespace == "prod" && shop.serviceNamespace == "prod")
        #expect(shop.version == "1.0.0" && shop.track == "stable" && shop.ready && shop.rate == 100)
        #expect(shop.requests == state.pods().first { $0.description.name == "shop-a" }!.requests)
        let plain = try! #require(report.pods.first { $0.name == "plain-x" })
        #expect(plain.track == nil && plain.version == nil)
    }
}
