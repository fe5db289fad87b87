import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// The whole controller with the Gateway API router against the emulator over HTTP: the finalizer, the weights
/// walked on a real HTTPRoute, the route restored when the Rollout is deleted.
@Suite struct RoutedReconcilerTests {
    static let routing = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "shop-route")))

    /// An HTTPRoute with the pair in rule 0 and an unrelated rule 1.
    static let route: JSONValue = [
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": ["name": "shop-route", "namespace": "default"],
        "spec": ["rules": [
            ["backendRefs": [["name": "shop-stable", "port": 8080, "weight": 100], ["name": "shop-canary", "port": 8080, "weight": 0]]],
            ["matches": [["path": ["type": "PathPrefix", "value": "/admin"]]], "backendRefs": [["name": "admin", "port": 80]]],
        ]],
    ]

    func prepare(_ cluster: Cluster) async throws {
        for file in RouterCRDFixtures.files {
            let _: DynamicObject = try await cluster.client.create(.customResourceDefinitions, DynamicObject(try RouterCRDFixtures.load(file)))
        }
        try await eventually("HTTPRoutes to be served") {
            let list: ObjectList<DynamicObject>? = try? await cluster.client.list(.httpRoutes, namespace: "default")
            return list != nil
        }
        let _: DynamicObject = try await cluster.client.create(.httpRoutes, DynamicObject(Self.route), namespace: "default")
    }

    func weights(_ cluster: Cluster, route name: String = "shop-route") async throws -> (stable: Int?, canary: Int?) {
        let route: DynamicObject = try await cluster.client.get(.httpRoutes, name: name, namespace: "default")
        let refs = route.json[path: ["spec", "rules"]]?.arrayValue?.first?["backendRefs"]?.arrayValue ?? []
        func weight(_ name: String) -> Int? { refs.first { $0["name"]?.stringValue == name }?["weight"]?.intValue }
        return (weight("shop-stable"), weight("shop-canary"))
    }

    func routedRollout(steps: [RolloutStep]) -> Rollout {
        var rollout = clusterRollout(steps: steps)
        rollout.spec?.strategy?.canary?.trafficRouting = Self.routing
        return rollout
    }

    @Test func aCanaryWalksTheRouteAndDeletionRestoresItToStable() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await prepare(cluster)
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                let rollout = try await cluster.rollout()
                #expect(rollout.metadata.finalizers == [FledgeNames.routeFinalizer])
                #expect(try await cluster.status().condition(.trafficRouted)?.status == "True")

                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("paused at 25% on the route") { $0.phase == .paused && $0.actualCanaryWeight == 25 }
                let (stable, canary) = try await weights(cluster)
                #expect(stable == 75)
                #expect(canary == 25)
                #expect(try await cluster.deployment(Fixture.canaryName)?.spec?.replicas == 1, "ceil(25% of 4)")
                #expect(try await cluster.deployment(Fixture.stableName)?.spec?.replicas == 4, "stable keeps every replica")
                let unrelated: DynamicObject = try await cluster.client.get(.httpRoutes, name: "shop-route", namespace: "default")
                #expect(unrelated.json[path: ["spec", "rules"]]?.arrayValue?.last?["backendRefs"]?.arrayValue?.first?["name"] == "admin")

                try await cluster.client.delete(Rollout.self, name: Fixture.name, namespace: "default")
                try await eventually("the Rollout gone") {
                    (try? await cluster.client.get(Rollout.self, name: Fixture.name, namespace: "default")) == nil
                }
                let (stableAfter, canaryAfter) = try await weights(cluster)
                #expect(stableAfter == 100)
                #expect(canaryAfter == 0)
            }
        }
    }

    /// At an indefinite pause nothing is due for a minute: only the route watch can make these quick.
    @Test func anEditAndADeletionOfTheRouteAreNoticedAtOnceByTheRouteWatch() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await prepare(cluster)
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("paused at 25% on the route") { $0.phase == .paused && $0.actualCanaryWeight == 25 }

                let _: DynamicObject = try await cluster.client.patch(.httpRoutes, name: "shop-route", namespace: "default", .json([
                    ["op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 40],
                    ["op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 60],
                ]))
                try await eventually("TrafficDrift reported", timeout: .seconds(10)) {
                    try await cluster.events().contains { $0["reason"]?.stringValue == "TrafficDrift" }
                }
                try await eventually("the weights set back", timeout: .seconds(10)) { try await weights(cluster).canary == 25 }

                try await cluster.client.delete(.httpRoutes, name: "shop-route", namespace: "default")
                try await cluster.waitFor("RouteNotFound", timeout: .seconds(10)) { $0.condition(.trafficRouted)?.reason == "RouteNotFound" }
            }
        }
    }

    @Test func aRouteNoLongerNamedIsSentBackToStableBeforeItIsForgotten() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await prepare(cluster)
            var other = Self.route
            other[path: ["metadata", "name"]] = "shop-route-2"
            let _: DynamicObject = try await cluster.client.create(.httpRoutes, DynamicObject(other), namespace: "default")
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("paused at 25% on the route") { $0.phase == .paused && $0.actualCanaryWeight == 25 }
                #expect(try await cluster.status().trafficRoute == RouteRecord(RouteReference(kind: .gatewayAPI, name: "shop-route", namespace: "default")))

                // The user points the Rollout at another route: the first goes back to stable, the second gets 25%.
                _ = try await cluster.client.patch(Rollout.self, name: Fixture.name, namespace: "default", .merge(
                    ["spec": ["strategy": ["canary": ["trafficRouting": ["gatewayAPI": ["httpRoute": ["name": "shop-route-2"]]]]]]]))
                try await eventually("the first route back at 100/0") { try await weights(cluster).canary == 0 }
                #expect(try await weights(cluster).stable == 100)
                try await eventually("the second route at 25%") { try await weights(cluster, route: "shop-route-2").canary == 25 }
                try await cluster.waitFor("status records the second route") { $0.trafficRoute?.name == "shop-route-2" }

                // Then trafficRouting is removed: the second route goes back to stable and the finalizer goes.
                _ = try await cluster.client.patch(Rollout.self, name: Fixture.name, namespace: "default", .merge(
                    ["spec": ["strategy": ["canary": ["trafficRouting": nil]]]]))
                try await eventually("the second route back at 100/0") { try await weights(cluster, route: "shop-route-2").canary == 0 }
                try await cluster.waitFor("no route recorded") { $0.trafficRoute == nil }
                try await eventually("the finalizer removed") { try await cluster.rollout().metadata.finalizers ?? [] == [] }
                // No TrafficDrift was reported for any of these moves: they were all the controller's own.
                #expect(try await cluster.events().contains { $0["reason"]?.stringValue == "TrafficDrift" } == false)
            }
        }
    }

    @Test func aRefusedRouteWriteIsAConditionAndOneEventThenRetriedWithBackoff() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await prepare(cluster)
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                // The controller may read the route but not patch it, three times over.
                try await cluster.client.injectEmulatorFault(path: "/httproutes/shop-route", verb: "PATCH", code: 403, count: 3)
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("TrafficRouted=False RouteWriteFailed") { $0.condition(.trafficRouted)?.reason == "RouteWriteFailed" }
                let failed = try await cluster.status()
                #expect(failed.condition(.trafficRouted)?.message?.contains("could not set HTTPRoute default/shop-route to 25%") == true)
                // Once the permission is back (the faults used up), the weight is set and the condition is True again.
                try await cluster.waitFor("paused at 25% on the route", timeout: .seconds(30)) {
                    $0.phase == .paused && $0.actualCanaryWeight == 25 && $0.condition(.trafficRouted)?.status == "True"
                }
                let refusals = try await cluster.events().filter { $0["reason"]?.stringValue == "TrafficRoutingFailed" }
                #expect(refusals.count == 1, "one Event for the same refusal, not one per retry: \(refusals.count)")
            }
        }
    }

    /// A write refused for good: the same refusal again changes nothing in status (no write, no watch event), so
    /// retries are paced by the work queue's backoff instead of spinning on the Rollout's own status writes.
    @Test func aLastingRefusalDoesNotSpin() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await prepare(cluster)
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.client.injectEmulatorFault(path: "/httproutes/shop-route", verb: "PATCH", code: 403, count: 100_000)
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("TrafficRouted=False RouteWriteFailed") { $0.condition(.trafficRouted)?.reason == "RouteWriteFailed" }
                try await Task.sleep(for: .milliseconds(500))
                let first = try await cluster.rollout().metadata.resourceVersion
                try await Task.sleep(for: .seconds(2))
                let later = try await cluster.rollout().metadata.resourceVersion
                #expect(first == later, "the Rollout was written again while the same refusal went on")
                let refusals = try await cluster.events().filter { $0["reason"]?.stringValue == "TrafficRoutingFailed" }
                #expect(refusals.count == 1)
            }
        }
    }

    @Test func aMissingRouteIsAConditionAndAnEventNotACrash() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await cluster.withController {
                try await cluster.create(routedRollout(steps: [.weight(25), .pause()]))
                try await cluster.waitFor("TrafficRouted=False") { $0.condition(.trafficRouted)?.reason == "RouteNotFound" }
                // Events are recorded just after the status write that explains them.
                try await eventually("a TrafficRoutingFailed Warning Event") {
                    try await cluster.events().contains { $0["reason"]?.stringValue == "TrafficRoutingFailed" && $0["type"]?.stringValue == "Warning" }
                }
                // The first deploy itself goes on: stable does not need the route.
                try await cluster.waitFor("stable healthy") { $0.phase == .healthy }
            }
        }
    }
}
