import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

@Suite struct RolloutDefaultsTests {
    @Test func eachRouterResolvesToTheObjectItNames() throws {
        func routed(_ r: TrafficRouting) throws -> EffectiveRouting {
            try resolved(Self.routedRollout(r), defaults: RolloutDefaults(crossNamespaceRoutes: true)).routing
        }
        let namespace = validRollout().metadata.namespace ?? "default"
        #expect(try routed(TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "web"))))
                == .router(RouteReference(kind: .gatewayAPI, name: "web", namespace: namespace)))
        #expect(try routed(TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "web", namespace: "edge"))))
                == .router(RouteReference(kind: .gatewayAPI, name: "web", namespace: "edge")))
        #expect(try routed(TrafficRouting(istio: IstioRouting(virtualService: VirtualServiceRef(name: "vs", routes: ["primary"]))))
                == .router(RouteReference(kind: .istio, name: "vs", namespace: namespace, routes: ["primary"])))
        #expect(try routed(TrafficRouting(nginx: NginxRouting(ingress: "shop"))) == .router(RouteReference(kind: .nginx, name: "shop", namespace: namespace)))
        #expect(RouteReference(kind: .gatewayAPI, name: "web", namespace: "edge").description == "HTTPRoute edge/web")
    }

    static func routedRollout(_ r: TrafficRouting) -> Rollout {
        validRollout {
            $0.canary.trafficRouting = r
            $0.template = .object(["metadata": ["labels": ["app": "shop"]],
                                   "spec": ["containers": [["name": "shop", "image": "ghcr.io/fledge-dev/shop:1.0.0",
                                                            "ports": [["containerPort": 8080]]]]]])
        }
    }

    /// A route in another namespace is refused unless the controller allows it: whoever may create a Rollout
    /// must not reach another namespace's routes through the controller.
    @Test func aRouteInAnotherNamespaceIsRefusedUnlessAllowed() throws {
        let namespace = validRollout().metadata.namespace ?? "default"
        let elsewhere = Self.routedRollout(TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "web", namespace: "edge"))))
        #expect(errorFields(elsewhere) == ["spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute.namespace"])
        guard case .failure(let invalid) = RolloutResolver.resolve(elsewhere) else { Issue.record("resolved"); return }
        #expect(invalid.errors.first?.message.contains("--allow-cross-namespace-routes") == true, "\(invalid)")
        var ignored: [FieldError] = []
        #expect(RolloutResolver.routing(elsewhere.spec?.strategy?.canary?.trafficRouting, namespace: namespace, crossNamespace: false,
                                        &ignored).route == nil, "the reconciler reads no route either")
        // Its own namespace, written out, is fine; allowed, another one resolves.
        let own = Self.routedRollout(TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "web", namespace: namespace))))
        #expect(try resolved(own).routing == .router(RouteReference(kind: .gatewayAPI, name: "web", namespace: namespace)))
        #expect(try resolved(elsewhere, defaults: RolloutDefaults(crossNamespaceRoutes: true)).routing
                == .router(RouteReference(kind: .gatewayAPI, name: "web", namespace: "edge")))
    }

    @Test func noStepsGiveTheSevenDefaultSteps() throws {
        let e = try resolved(validRollout())
        #expect(e.steps == [
            .setWeight(5), .analysis(.seconds(600)), .setWeight(25), .analysis(.seconds(600)),
            .setWeight(50), .analysis(.seconds(900)), .setWeight(100),
        ])
        #expect(e.steps.map(\.description) == [
            "setWeight 5", "analysis 10m", "setWeight 25", "analysis 10m", "setWeight 50", "analysis 15m", "setWeight 100",
        ])
    }

    @Test func everyOmittedFieldGetsItsDefault() throws {
        let e = try resolved(validRollout { $0.replicas = nil })
        #expect(e.replicas == 1)
        #expect(e.paused == false)
        #expect(e.progressDeadline == .seconds(600))
        #expect(e.routing == .replicaRatio)
        #expect(e.version == "1.0.0")
        let a = e.analysis
        #expect(a.interval == .seconds(60))
        #expect(a.scrapeInterval == .seconds(30))
        #expect(a.warmup == .seconds(60), "2 × scrapeInterval")
        #expect(a.lag == .seconds(35), "scrapeInterval + 5s")
        #expect(a.onInconclusive == .pause)
        #expect(a.maxExtensions == 1)
        #expect(a.joinTargetInfo == false)
        #expect(a.service == "shop", "the Rollout's name")
        #expect(a.configuration.alpha == 0.02)
        #expect(a.configuration.perRoute == false)
        #expect(a.configuration.checks.isEmpty)
        #expect(a.prometheusAddress == "http://prometheus.monitoring:9090")
    }

    @Test func warmupAndLagFollowTheScrapeInterval() throws {
        let e = try resolved(validRollout { $0.analysis.prometheus?.scrapeInterval = "15s" })
        #expect(e.analysis.scrapeInterval == .seconds(15))
        #expect(e.analysis.warmup == .seconds(30))
        #expect(e.analysis.lag == .seconds(20))
    }

    @Test func explicitAnalysisSettingsWin() throws {
        let e = try resolved(validRollout {
            $0.analysis.interval = "2m"
            $0.analysis.warmup = "0s"
            $0.analysis.prometheus?.lag = "1m30s"
            $0.analysis.prometheus?.joinTargetInfo = true
            $0.analysis.alpha = 0.05
            $0.analysis.perRoute = true
            $0.analysis.onInconclusive = "rollback"
            $0.analysis.maxExtensions = 0
            $0.analysis.service = "storefront"
            $0.analysis.checks = [QueryCheck(name: "orders", query: "sum(orders)", min: 1)]
            $0.progressDeadlineSeconds = 120
            $0.paused = true
        })
        #expect(e.analysis.interval == .seconds(120))
        #expect(e.analysis.warmup == .zero)
        #expect(e.analysis.lag == .seconds(90))
        #expect(e.analysis.joinTargetInfo)
        #expect(e.analysis.configuration.alpha == 0.05)
        #expect(e.analysis.configuration.perRoute)
        #expect(e.analysis.onInconclusive == .rollback)
        #expect(e.analysis.maxExtensions == 0)
        #expect(e.analysis.service == "storefront")
        #expect(e.analysis.configuration.checks.map(\.name) == ["orders"])
        #expect(e.progressDeadline == .seconds(120))
        #expect(e.paused)
    }

    @Test(arguments: InconclusivePolicy.allCases)
    func everyInconclusivePolicyIsAccepted(policy: InconclusivePolicy) throws {
        let e = try resolved(validRollout { $0.analysis.onInconclusive = policy.rawValue })
        #expect(e.analysis.onInconclusive == policy)
    }

    @Test func theControllersPrometheusAddressIsTheDefault() throws {
        let r = validRollout { $0.analysis.prometheus = nil }
        let e = try resolved(r, defaults: RolloutDefaults(prometheusAddress: "http://prom.default:9090"))
        #expect(e.analysis.prometheusAddress == "http://prom.default:9090")
        // The spec's address wins over the controller's.
        let own = try resolved(validRollout(), defaults: RolloutDefaults(prometheusAddress: "http://prom.default:9090"))
        #expect(own.analysis.prometheusAddress == "http://prometheus.monitoring:9090")
    }

    @Test func noAddressIsFineWhenNoStepAnalyses() throws {
        let e = try resolved(validRollout {
            $0.analysis.prometheus = nil
            $0.canary.steps = [.weight(50), .pause(), .weight(100)]
        })
        #expect(e.analysis.prometheusAddress == nil)
        #expect(e.steps == [.setWeight(50), .pause(nil), .setWeight(100)])
    }

    @Test func givenStepsAreResolvedInOrder() throws {
        let e = try resolved(validRollout {
            $0.canary.steps = [.weight(10), .analysis(), .pause("1h30m"), .weight(40), .analysis("90s"), .pause(), .weight(100)]
        })
        #expect(e.steps == [.setWeight(10), .analysis(.seconds(600)), .pause(.seconds(5400)), .setWeight(40),
                            .analysis(.seconds(90)), .pause(nil), .setWeight(100)])
        #expect(e.steps[2].description == "pause 1h30m")
        #expect(e.steps[5].description == "pause")
    }

    @Test(arguments: [
        ("ghcr.io/fledge-dev/shop:1.2.3", "1.2.3"),
        ("shop:v2", "v2"),
        ("registry.local:5000/team/shop:2.0.1", "2.0.1"),
        ("registry.local:5000/team/shop", "latest"),
        ("shop", "latest"),
        ("shop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789ab"),
        ("shop:1.0@sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "fedcba987654"),
        ("shop:1.0+build.5", "1.0-build.5"),
        ("shop:_rc_", "rc"),
    ])
    func versionComesFromTheImage(image: String, version: String) throws {
        #expect(RolloutResolver.version(ofImage: image) == version)
        let e = try resolved(validRollout { $0.template = podTemplate(image: image) })
        #expect(e.version == version)
        #expect(LabelMatching.isValidLabelValue(e.version))
    }

    @Test func explicitVersionWinsOverTheImageTag() throws {
        let e = try resolved(validRollout { $0.version = "2026.03.1" })
        #expect(e.version == "2026.03.1")
    }

    @Test func versionIsPartOfTheTemplateHash() throws {
        let a = try resolved(validRollout())
        let b = try resolved(validRollout { $0.version = "other" })
        #expect(a.template == b.template)
        #expect(a.templateHash != b.templateHash)
        #expect(a.templateHash == TemplateHash.of(template: a.template, version: "1.0.0"))
    }

    @Test func routingAndSelectorCarryThrough() throws {
        let e = try resolved(validRollout {
            $0.selector = LabelSelector(matchLabels: ["app": "shop"],
                                        matchExpressions: [.init(key: "tier", operator: "NotIn", values: ["batch"])])
        })
        #expect(e.selector.matchExpressions?.count == 1)
        #expect(e.replicas == 4)
    }

    @Test func theShopExampleIsValid() throws {
        let r = try rollout(yaml: try readPackageFile("manifests/examples/shop-rollout.yaml"))
        let e = try resolved(r)
        #expect(e.replicas == 20)
        #expect(e.version == "1.0.0")
        #expect(e.steps.count == 7)
        #expect(e.analysis.prometheusAddress == "http://prometheus.monitoring:9090")
    }
}
