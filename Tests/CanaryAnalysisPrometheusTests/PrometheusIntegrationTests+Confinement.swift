@testable import CanaryAnalysisPrometheus
import CanaryAnalysis
import Foundation
import PromQLSelectors
import Testing

/// Tenant confinement against a real Prometheus: two namespaces run a service of the same name and the same custom
/// metric; a provider confined to one of them reads only that one's series, in its own counts and in every user
/// query, and a query that names the other namespace is never sent.
extension PrometheusIntegrationTests {
    @Test func aConfinedProviderReadsOnlyItsNamespacesSeriesAndRefusesAQueryForAnother() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-tenant"
        func series(_ namespace: String, _ n: Double) -> [HistogramSeries] {
            [http(s, "stable", version: "1", route: "/", status: "200", count: n, le: [n, n, n], extra: [("k8s_namespace_name", namespace)]),
             http(s, "canary", version: "2", route: "/", status: "200", count: n, le: [n, n, n], extra: [("k8s_namespace_name", namespace)])]
        }
        let gauges = [
            GaugeSample(name: "shop_orders", labels: [("k8s_namespace_name", "team-a"), ("deployment_track", "stable")], value: 3),
            GaugeSample(name: "shop_orders", labels: [("k8s_namespace_name", "team-a"), ("deployment_track", "canary")], value: 3),
            GaugeSample(name: "shop_orders", labels: [("k8s_namespace_name", "team-b"), ("deployment_track", "stable")], value: 500),
            GaugeSample(name: "shop_orders", labels: [("k8s_namespace_name", "team-b"), ("deployment_track", "canary")], value: 500),
        ]
        try await env.publish(s, series("team-a", 1) + series("team-b", 100), gauges: gauges)
        let t0 = try await env.mark()
        try await env.publish(s, series("team-a", 3) + series("team-b", 1100), gauges: gauges)
        let t1 = try await env.mark()
        let checks = [
            QueryCheck(name: "orders", query: #"sum(shop_orders{deployment_track="{{track}}"})"#, max: 1000),
            QueryCheck(name: "other-tenant", query: #"sum(shop_orders{k8s_namespace_name="team-b"})"#, max: 1000),
        ]
        let target = AnalysisTarget(service: s, stableVersion: "1", canaryVersion: "2")

        let open = try env.provider()
        let unconfined = try value(await open.sample(for: target, from: t0, to: t1, queries: checks))
        await open.shutdown()
        #expect(unconfined.stable.requests == 1002, "without confinement both namespaces are counted")
        #expect(unconfined.queries["orders"]?.stable == 503)

        let confined = try env.provider { $0.enforcedMatchers = [.equal("k8s_namespace_name", "team-a")] }
        let sample = try value(await confined.sample(for: target, from: t0, to: t1, queries: checks))
        await confined.shutdown()
        #expect(sample.stable.requests == 2 && sample.canary.requests == 2, "only team-a's requests: \(sample.stable.requests)")
        #expect(sample.queries["orders"] == QueryValues(stable: 3, canary: 3))
        let refused = try #require(sample.queries["other-tenant"])
        #expect(refused.stable == nil && refused.canary == nil)
        #expect(refused.reason?.contains("not sent") == true, "\(refused)")
        #expect(refused.reason?.contains(#"k8s_namespace_name="team-b""#) == true, "\(refused)")
    }
}
