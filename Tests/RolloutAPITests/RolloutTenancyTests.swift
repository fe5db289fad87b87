import CanaryAnalysis
import Foundation
import PromQLSelectors
import RolloutAPI
import Testing

/// What a Rollout cannot make the controller do when the controller runs in the multi-tenant profile: query a
/// Prometheus it was not configured with, or read another namespace's metrics through a check's query.
struct RolloutTenancyTests {
    static let allowlist = RolloutDefaults(prometheusAddress: "http://prometheus.monitoring:9090",
                                           allowedPrometheusAddresses: ["https://thanos.monitoring.svc:10902/"])

    static func addressed(_ address: String?) -> Rollout {
        validRollout { $0.analysis.prometheus = address.map { PrometheusSpec(address: $0) } }
    }

    @Test func anAddressOutsideTheAllowlistIsAnInvalidSpecSayingSo() throws {
        for escape in ["http://169.254.169.254/latest/meta-data", "http://kubernetes.default.svc:443",
                       "http://prometheus.monitoring:9091", "http://prometheus.monitoring.evil:9090"] {
            guard case .failure(let invalid) = RolloutResolver.resolve(Self.addressed(escape), defaults: Self.allowlist) else {
                Issue.record("\(escape) resolved"); continue
            }
            #expect(invalid.errors.map(\.field) == ["spec.strategy.canary.analysis.prometheus.address"])
            #expect(invalid.errors[0].message.contains("--allowed-prometheus-address"), "\(invalid)")
            #expect(invalid.errors[0].message.contains(escape))
        }
    }

    @Test func theDefaultAndTheAllowedAddressesResolveWrittenAnyEquivalentWay() throws {
        for allowed in [nil, "http://prometheus.monitoring:9090", "HTTP://Prometheus.Monitoring:9090/", "https://thanos.monitoring.svc:10902",
                        "https://thanos.monitoring.svc:10902//"] {
            #expect(errorFields(Self.addressed(allowed), defaults: Self.allowlist).isEmpty, "\(allowed ?? "the default")")
        }
        #expect(errorFields(Self.addressed("http://prometheus.monitoring")).isEmpty, "without an allowlist any address resolves")
        var https = Self.allowlist
        https.allowedPrometheusAddresses = ["https://prom.example"]
        #expect(errorFields(Self.addressed("https://prom.example:443"), defaults: https).isEmpty, "the scheme's default port")
        #expect(!errorFields(Self.addressed("http://prom.example"), defaults: https).isEmpty, "another scheme is another server")
    }

    static func checked(_ queries: [String]) -> Rollout {
        validRollout { $0.analysis.checks = queries.enumerated().map { QueryCheck(name: "q\($0.offset)", query: $0.element, max: 1) } }
    }

    static let confined = RolloutDefaults(prometheusAddress: "http://prometheus.monitoring:9090", queryNamespaceLabel: "namespace")

    @Test func aQueryReadingAnotherNamespaceIsAnInvalidSpecNamingItsField() throws {
        let escapes = [
            #"sum(rate(orders_total{namespace="team-b"}[5m]))"#,
            #"sum(rate(orders_total{namespace=~"default|team-b"}[5m]))"#,
            #"sum(orders_total{namespace!="default"})"#,
            "sum(orders_total) # a comment {\n} )",
        ]
        for query in escapes {
            let fields = errorFields(Self.checked([#"sum(orders_total{track="{{track}}"})"#, query]), defaults: Self.confined)
            #expect(fields == ["spec.strategy.canary.analysis.checks[1].query"], "\(query)")
        }
        guard case .failure(let invalid) = RolloutResolver.resolve(Self.checked([escapes[0]]), defaults: Self.confined) else {
            Issue.record("resolved"); return
        }
        #expect(invalid.errors[0].message.contains(#"namespace="team-b""#), "\(invalid)")
        #expect(invalid.errors[0].message.contains("--query-namespace-label=namespace"), "\(invalid)")
    }

    @Test func aConfinableQueryResolvesWithTheMatcherEveryQueryGets() throws {
        let e = try resolved(Self.checked([#"sum(rate(orders_total{track="{{ track }}"}[5m])) / sum(rate(visits_total[5m]))"#,
                                           #"sum(orders_total{namespace="default"})"#, "vector(1)"]), defaults: Self.confined)
        #expect(e.analysis.enforcedMatchers == [.equal("namespace", "default")])
        // The same Rollout without confinement sends its queries as written.
        #expect(try resolved(Self.checked(["sum(x)"])).analysis.enforcedMatchers.isEmpty)
    }
}
