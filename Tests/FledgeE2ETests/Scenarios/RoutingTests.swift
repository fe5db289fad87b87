import Foundation
import KubeJSON
import RolloutAPI
import Testing

/// Traffic shifted by a router (Gateway API HTTPRoute, Istio VirtualService, NGINX canary Ingress) instead of the
/// replica ratio: the exact weights written to the route and their order against the Deployments' scale writes,
/// from the API server's own request log; what the Rollout reports; and the route restored when things go wrong.
@Suite("E2E: traffic routing")
struct RoutingTests {
    static let replicas = 10
    /// Setting the weight to each of these, with a short pause between, then promoting.
    static let walk = [5, 25, 50, 100]
    static var walkSteps: [JSONValue] {
        [.weight(5), .pause("2s"), .weight(25), .pause("2s"), .weight(50), .pause("2s"), .weight(100)]
    }

    /// The HTTPRoute the Gateway API scenarios start from: rule 0 splits between the Rollout's two Services and a
    /// third backend Fledge must leave alone; rule 1 is another team's.
    static func shopRoute(namespace: String) -> JSONValue {
        Routes.httpRoute(name: "shop-route", namespace: namespace, rules: [
            [
                "matches": [["path": ["type": "PathPrefix", "value": "/"]]],
                "backendRefs": [
                    Routes.backendRef("shop-stable", weight: 100),
                    Routes.backendRef("shop-canary", weight: 0),
                    Routes.backendRef("legacy", weight: 10, port: 8080),
                ],
            ],
            [
                "name": "other-team",
                "matches": [["path": ["type": "PathPrefix", "value": "/reports"],
                             "headers": [["name": "x-team", "value": "reports"]]]],
                "filters": [["type": "RequestHeaderModifier", "requestHeaderModifier": ["add": [["name": "x-via", "value": "gw"]]]]],
                "backendRefs": [Routes.backendRef("other", weight: nil, port: 9090)],
            ],
        ])
    }

    /// v1 with a router, Healthy; returns its manifest (bump `version` for v2).
    static func deployV1(_ s: Scenario, routing: JSONValue, steps: [JSONValue], baseline: Bool = false) async throws -> RolloutManifest {
        var v1 = s.manifest("shop", version: "1.0.0")
        v1.replicas = replicas
        v1.steps = steps
        v1.trafficRouting = routing
        try await s.kubectl.apply(v1.text)
        if baseline {
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")
        } else {
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
        }
        return v1
    }

    // MARK: Gateway API

    @Test("Gateway API: a promotion writes exactly 5, 25, 50, 100 then 0 to the canary, after sizing it; nothing else in the route changes")
    func gatewayPromotion() async throws {
        try await Scenario.run("gw-promote") { s in
            try await RouterCRDs.ensure(s.kubectl)
            let created = try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            let v1 = try await Self.deployV1(s, routing: Routes.gatewayAPI(httpRoute: "shop-route"), steps: Self.walkSteps)
            let healthy = try #require(try await s.rollout("shop"))
            #expect(Scenario.condition(healthy, "TrafficRouted")?["status"]?.stringValue == "True", "\(Scenario.summary(healthy) ?? "")")

            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            let seen = try await s.follow("shop", "v2 promoted", timeout: .seconds(90)) { r in
                r.string("status.phase") == "Healthy" && r.string("status.stableVersion") == "2.0.0"
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            #expect(seen.contains { $0.int("status.canaryWeight") == 25 && $0.double("status.actualCanaryWeight") == 25 },
                    "actualCanaryWeight read back at 25 while canaryWeight was 25; seen: \(seen.compactMap { Scenario.summary($0) })")
            let final = try await s.waitForHTTPRouteWeights("shop-route", stable: 100, canary: 0)
            try await waitUntil("shop-canary scaled to 0", timeout: .seconds(30)) { (try await s.replicas("shop-canary") ?? 0) == 0 }

            // The route ends exactly as the test created it: rule 1 and the third backend were never touched, and the
            // two weights are back where they started.
            #expect(Routes.canonical(final.at("spec.rules[1]")) == Routes.canonical(created.at("spec.rules[1]")))
            #expect(Routes.canonical(final.at("spec.rules[0].backendRefs[2]")) == Routes.canonical(created.at("spec.rules[0].backendRefs[2]")))
            #expect(Routes.canonical(final["spec"]) == Routes.canonical(created["spec"]))
            let done = try #require(try await s.rollout("shop"))
            #expect(Scenario.condition(done, "TrafficRouted")?["status"]?.stringValue == "True")
            #expect(Scenario.condition(done, "TrafficRouted")?["reason"]?.stringValue == "WeightsSet")
            #expect(done.double("status.actualCanaryWeight") == 0)

            let log = try await Self.expectPromotionWalk(s, route: s.objectPath("gateway.networking.k8s.io/v1", "httproutes", "shop-route"),
                                                         entriesUnder: "/spec/rules/0/backendRefs/")
            // Nothing but the controller's weight patches (and the test's create) wrote the route.
            let others = log.filter { $0.path.hasSuffix("/httproutes/shop-route") && !($0.method == "PATCH" && !$0.byKubectl) && $0.method != "POST" }
            #expect(others.isEmpty, "other writes of the route: \(others.map { "\($0.method) \($0.userAgent)" })")
        }
    }

    @Test("Gateway API: a failed analysis at 50% rolls back; the route goes to 0 before the canary is scaled down")
    func gatewayRollback() async throws {
        try await Scenario.run("gw-rollback") { s in
            try await RouterCRDs.ensure(s.kubectl)
            let created = try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            let v1 = try await Self.deployV1(s, routing: Routes.gatewayAPI(httpRoute: "shop-route"),
                                             steps: [.weight(50), .analysis("6s"), .weight(100)], baseline: true)
            var bad = v1
            bad.version = "2.0.0"
            bad.failing()
            try await s.kubectl.apply(bad.text)
            try await s.waitForRollout("shop", "v2 at 50% on the route") { r in
                r.int("status.canaryWeight") == 50 && r.double("status.actualCanaryWeight") == 50
            }
            try await s.expectRolledBack("shop", stableVersion: "1.0.0", canaryVersion: "2.0.0", failingMetric: "errorRate")

            let final = try await s.waitForHTTPRouteWeights("shop-route", stable: 100, canary: 0)
            #expect(Routes.canonical(final["spec"]) == Routes.canonical(created["spec"]))
            let rollout = try #require(try await s.rollout("shop"))
            #expect(rollout.double("status.actualCanaryWeight") == 0)

            let log = try await s.namespaceWrites()
            let patches = Scenario.controllerPatches(of: s.objectPath("gateway.networking.k8s.io/v1", "httproutes", "shop-route"), in: log)
                .map(WeightPatch.init)
            #expect(patches.map { $0.weight("shop-canary") } == [50, 0], "route patches: \(patches.map(\.summary))")
            #expect(patches.map { $0.weight("shop-stable") } == [50, 100], "route patches: \(patches.map(\.summary))")
            #expect(patches.allSatisfy { $0.write.mediaType == "application/json-patch+json" && $0.guarded })
            let canary = Scenario.replicaWrites("shop-canary", in: log)
            let raised = try #require(patches.first { $0.weight("shop-canary") == 50 })
            let lowered = try #require(patches.last { $0.weight("shop-canary") == 0 })
            #expect(canary.last { $0.index < raised.write.index }?.replicas == canarySize(weight: 50, replicas: Self.replicas),
                    "the canary was sized for 50% before the route sent it 50%: \(canary) route at #\(raised.write.index)")
            let scaledDown = try #require(canary.first { $0.replicas == 0 && $0.index > raised.write.index },
                                          "shop-canary scaled to 0 after the rollback: \(canary)")
            #expect(lowered.write.index < scaledDown.index,
                    "the route PATCH to 0 (#\(lowered.write.index)) comes before shop-canary is scaled to 0 (#\(scaledDown.index)); canary writes \(canary)")
            #expect(canary.filter { $0.index > raised.write.index && $0.index < lowered.write.index }.allSatisfy { $0.replicas == 5 },
                    "the canary kept its pods while the route sent it traffic: \(canary)")
        }
    }

    @Test("Gateway API: 409s on the route's PATCH are retried; a weight edited by hand is reported as drift and set back")
    func gatewayConflictsAndDrift() async throws {
        try await Scenario.run("gw-drift") { s in
            try await RouterCRDs.ensure(s.kubectl)
            try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            let v1 = try await Self.deployV1(s, routing: Routes.gatewayAPI(httpRoute: "shop-route"),
                                             steps: [.weight(5), .pause(), .weight(25), .pause(), .weight(100)])
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "paused at 5% on the route") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.phase") == "Paused"
                    && r.double("status.actualCanaryWeight") == 5
            }
            let routePath = s.objectPath("gateway.networking.k8s.io/v1", "httproutes", "shop-route")
            // The next two PATCHes of this route (this namespace's only) answer 409 Conflict.
            try await s.environment.injectFault(path: routePath, verb: "patch", code: 409, count: 2)
            try await s.action("shop", "promote:c1")
            try await s.waitForRollout("shop", "paused at 25% on the route despite two conflicts", timeout: .seconds(30)) { r in
                r.int("status.currentStepIndex") == 3 && r.string("status.phase") == "Paused"
                    && r.double("status.actualCanaryWeight") == 25
            }
            try await s.waitForHTTPRouteWeights("shop-route", stable: 75, canary: 25)
            let faults = try await HTTP.request("\(s.environment.emulatorURL)/emulator.fledge.dev/faults")
            #expect(!faults.body.contains(routePath), "both injected conflicts were used: \(faults.body)")
            let afterConflicts = try await s.namespaceWrites()
            let tries = Scenario.controllerPatches(of: routePath, in: afterConflicts).map(WeightPatch.init)
                .filter { $0.weight("shop-canary") == 25 }
            #expect(tries.count == 3, "two refused PATCHes to 25 then the one that took: \(tries.map(\.summary))")
            #expect(tries.allSatisfy { $0.guarded && $0.write.mediaType == "application/json-patch+json" })

            // Someone edits the weights by hand while the rollout waits at its indefinite pause.
            let edited = try #require(afterConflicts.last?.index)
            try await s.kubectl.ok("patch", "-n", s.namespace, "httproutes.gateway.networking.k8s.io/shop-route", "--type=json", "-p",
                                   #"[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":40},"#
                                       + #"{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":60}]"#)
            let events = try await s.waitForWarningEvent(about: "shop", reason: "TrafficDrift")
            #expect(events.contains { ($0["message"]?.stringValue ?? "").contains("60%") },
                    "the drift Event says what was found: \(events.map { $0["message"]?.stringValue ?? "" })")
            try await s.waitForHTTPRouteWeights("shop-route", stable: 75, canary: 25)
            let restore = Scenario.controllerPatches(of: routePath, in: try await s.namespaceWrites()).map(WeightPatch.init)
                .filter { $0.write.index > edited }
            #expect(restore.contains { $0.weight("shop-canary") == 25 && $0.weight("shop-stable") == 75 },
                    "the controller set the route back to 25: \(restore.map(\.summary))")
            let rollout = try #require(try await s.rollout("shop"))
            #expect(rollout.int("status.currentStepIndex") == 3, "drift does not move the steps: \(Scenario.summary(rollout) ?? "")")
            #expect(rollout.int("status.canaryWeight") == 25)
        }
    }

    @Test("Gateway API: the route deleted mid-rollout holds the canary (RouteNotFound, an Event); recreated, the weights are set again")
    func gatewayRouteDeleted() async throws {
        try await Scenario.run("gw-deleted") { s in
            let controller = try #require(s.controller)
            try await RouterCRDs.ensure(s.kubectl)
            try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            let v1 = try await Self.deployV1(s, routing: Routes.gatewayAPI(httpRoute: "shop-route"),
                                             steps: [.weight(25), .pause(), .weight(100)])
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "paused at 25% on the route") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.phase") == "Paused"
                    && r.double("status.actualCanaryWeight") == 25
            }
            let size = canarySize(weight: 25, replicas: Self.replicas)
            try await waitUntil("shop-canary at \(size)", timeout: .seconds(30)) { try await s.replicas("shop-canary") == size }

            try await s.kubectl.ok("delete", "-n", s.namespace, "httproutes.gateway.networking.k8s.io/shop-route")
            let held = try await s.waitForRollout("shop", "TrafficRouted=False reason RouteNotFound", timeout: .seconds(30)) { r in
                let c = Scenario.condition(r, "TrafficRouted")
                return c?["status"]?.stringValue == "False" && c?["reason"]?.stringValue == "RouteNotFound"
            }
            #expect(held.int("status.currentStepIndex") == 1, "\(Scenario.summary(held) ?? "")")
            let events = try await s.waitForWarningEvent(about: "shop", reason: "TrafficRoutingFailed")
            #expect(events.contains { ($0["message"]?.stringValue ?? "").contains("shop-route") },
                    "the Event names the route: \(events.map { $0["message"]?.stringValue ?? "" })")
            #expect(controller.isRunning, "the controller is still running")
            #expect(await HTTP.answers200("\(controller.endpoint)/healthz"))
            try await holds("shop-canary kept at \(size) while the route is missing", for: .seconds(3)) {
                let canary = try await s.replicas("shop-canary"), stable = try await s.replicas("shop-stable")
                return canary == size && stable == Self.replicas
            }

            // Recreated as it first was (everything to stable): the controller sets its weight again.
            try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            try await s.waitForHTTPRouteWeights("shop-route", stable: 75, canary: 25, timeout: .seconds(45))
            let routed = try await s.waitForRollout("shop", "TrafficRouted=True again at 25%", timeout: .seconds(30)) { r in
                Scenario.condition(r, "TrafficRouted")?["status"]?.stringValue == "True" && r.double("status.actualCanaryWeight") == 25
            }
            #expect(Scenario.condition(routed, "TrafficRouted")?["reason"]?.stringValue == "WeightsSet")
            #expect(routed.int("status.currentStepIndex") == 1)
            #expect(try await s.replicas("shop-canary") == size)
            #expect(controller.isRunning)
        }
    }

    @Test("Gateway API: deleting the Rollout mid-canary sends the route back to stable, then the finalizer goes")
    func gatewayRolloutDeleted() async throws {
        try await Scenario.run("gw-finalize") { s in
            try await RouterCRDs.ensure(s.kubectl)
            let created = try await s.create(Self.shopRoute(namespace: s.namespace)) { try await $0.httpRoute("shop-route") }
            let v1 = try await Self.deployV1(s, routing: Routes.gatewayAPI(httpRoute: "shop-route"),
                                             steps: [.weight(25), .pause(), .weight(100)])
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            let paused = try await s.waitForRollout("shop", "paused at 25% on the route") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.phase") == "Paused"
                    && r.double("status.actualCanaryWeight") == 25
            }
            #expect(paused.at("metadata.finalizers")?.arrayValue?.contains(.string(FledgeNames.routeFinalizer)) == true,
                    "finalizers: \(paused.at("metadata.finalizers")?.jsonString ?? "none")")
            try await s.waitForHTTPRouteWeights("shop-route", stable: 75, canary: 25)

            try await s.kubectl.ok("delete", "-n", s.namespace, "rollout/shop", "--wait=false")
            try await waitUntil("rollout shop gone", timeout: .seconds(10),
                                describe: { (try? await s.rollout("shop")).map { $0.at("metadata")?.jsonString ?? "" } ?? "gone" }) {
                try await s.rollout("shop") == nil
            }
            // Restored before the finalizer was removed: already there when the Rollout is gone.
            let route = try #require(try await s.httpRoute("shop-route"))
            let weights = Routes.httpRouteWeights(route)
            #expect(weights["shop-stable"] == 100 && weights["shop-canary"] == 0, "route weights: \(weights)")
            #expect(Routes.canonical(route["spec"]) == Routes.canonical(created["spec"]))

            let log = try await s.namespaceWrites()
            let routePath = s.objectPath("gateway.networking.k8s.io/v1", "httproutes", "shop-route")
            let restore = try #require(Scenario.controllerPatches(of: routePath, in: log).map(WeightPatch.init).last)
            #expect(restore.weight("shop-canary") == 0 && restore.weight("shop-stable") == 100, "\(restore.summary)")
            let finalizerRemoval = log.last { w in
                w.path == s.objectPath("fledge.dev/v1alpha1", "rollouts", "shop") && w.method == "PATCH" && !w.byKubectl
                    && w.body?.at("metadata.finalizers") != nil
            }
            let removal = try #require(finalizerRemoval, "the controller's PATCH of metadata.finalizers")
            #expect(removal.body?.at("metadata.finalizers")?.arrayValue?.contains(.string(FledgeNames.routeFinalizer)) == false)
            #expect(restore.write.index < removal.index, "the route is restored (#\(restore.write.index)) before the finalizer goes (#\(removal.index))")
        }
    }

    // MARK: Istio

    @Test("Istio: a promotion walks only the named http route through 5, 25, 50, 100 then 0; the other route is untouched")
    func istioPromotion() async throws {
        try await Scenario.run("istio") { s in
            try await RouterCRDs.ensure(s.kubectl)
            let vs = Routes.virtualService(name: "shop-vs", namespace: s.namespace, http: [
                [
                    "name": "admin",
                    "match": [["uri": ["prefix": "/admin"]]],
                    "route": [Routes.destination("admin-svc", weight: nil)],
                    "timeout": "5s",
                ],
                [
                    "name": "primary",
                    "route": [Routes.destination("shop-stable", weight: 100), Routes.destination("shop-canary", weight: 0)],
                    "retries": ["attempts": 3],
                ],
            ])
            let created = try await s.create(vs) { try await $0.virtualService("shop-vs") }
            let v1 = try await Self.deployV1(s, routing: Routes.istio(virtualService: "shop-vs", routes: ["primary"]), steps: Self.walkSteps)
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            let seen = try await s.follow("shop", "v2 promoted", timeout: .seconds(90)) { r in
                r.string("status.phase") == "Healthy" && r.string("status.stableVersion") == "2.0.0"
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            #expect(seen.contains { $0.int("status.canaryWeight") == 25 && $0.double("status.actualCanaryWeight") == 25 })
            let final = try await waitFor("VirtualService shop-vs primary back at shop-stable=100 shop-canary=0", timeout: .seconds(30)) {
                let none: JSONValue? = .none
                guard let vs = try await s.virtualService("shop-vs") else { return none }
                let w = Routes.virtualServiceWeights(vs, route: "primary")
                return w["shop-stable"] == 100 && w["shop-canary"] == 0 ? .some(vs) : none
            }
            try await waitUntil("shop-canary scaled to 0", timeout: .seconds(30)) { (try await s.replicas("shop-canary") ?? 0) == 0 }
            #expect(Routes.canonical(final.at("spec.http[0]")) == Routes.canonical(created.at("spec.http[0]")), "admin untouched")
            #expect(Routes.canonical(final["spec"]) == Routes.canonical(created["spec"]))

            _ = try await Self.expectPromotionWalk(s, route: s.objectPath("networking.istio.io/v1", "virtualservices", "shop-vs"),
                                                   entriesUnder: "/spec/http/1/route/")
        }
    }

    // MARK: NGINX

    @Test("NGINX: a canary Ingress owned by the Rollout copies only the stable path and carries 5, 25, 50, 100 then 0")
    func nginxPromotion() async throws {
        try await Scenario.run("nginx") { s in
            let canaryName = Routes.nginxCanaryIngressName(for: "shop-ingress")
            let user = try await s.create(Routes.ingress(name: "shop-ingress", namespace: s.namespace, host: "shop.example", paths: [
                Routes.ingressPath("/", to: "shop-stable"),
                Routes.ingressPath("/docs", to: "docs"),
            ])) { try await $0.ingress("shop-ingress") }
            let v1 = try await Self.deployV1(s, routing: Routes.nginx(ingress: "shop-ingress"), steps: Self.walkSteps)
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)

            let canary = try await waitFor("\(canaryName) at canary-weight 25", timeout: .seconds(60), interval: .milliseconds(200)) {
                let none: JSONValue? = .none
                guard let ingress = try await s.ingress(canaryName) else { return none }
                return ingress.at("metadata.annotations")?[Routes.nginxCanaryWeightAnnotation]?.stringValue == "25" ? .some(ingress) : none
            }
            let rollout = try #require(try await s.rollout("shop"))
            let annotations = canary.at("metadata.annotations")
            #expect(annotations?[Routes.nginxCanaryAnnotation]?.stringValue == "true")
            let owner = canary.at("metadata.ownerReferences")?.arrayValue?.first
            #expect(owner?["kind"]?.stringValue == "Rollout" && owner?["name"]?.stringValue == "shop"
                        && owner?["uid"]?.stringValue == rollout.string("metadata.uid") && owner?["controller"]?.boolValue == true,
                    "owned by the Rollout: \(canary.at("metadata.ownerReferences")?.jsonString ?? "none")")
            #expect(canary.string("spec.ingressClassName") == "nginx")
            let rules = canary.at("spec.rules")?.arrayValue ?? []
            #expect(rules.count == 1 && rules.first?["host"]?.stringValue == "shop.example", "rules: \(rules.map(\.jsonString))")
            let paths = rules.first?.at("http.paths")?.arrayValue ?? []
            #expect(paths.count == 1, "only the stable path is copied: \(paths.map(\.jsonString))")
            #expect(paths.first?.string("path") == "/" && paths.first?.string("backend.service.name") == "shop-canary"
                        && paths.first?.int("backend.service.port.number") == 80, "\(paths.map(\.jsonString))")

            _ = try await s.follow("shop", "v2 promoted", timeout: .seconds(90)) { r in
                r.string("status.phase") == "Healthy" && r.string("status.stableVersion") == "2.0.0"
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            try await waitUntil("shop-canary scaled to 0", timeout: .seconds(30)) { (try await s.replicas("shop-canary") ?? 0) == 0 }
            // After promotion the planner sets the route to 0, which this router applies as canary-weight "0" (it
            // deletes the canary Ingress only when the Rollout goes away).
            let after = try #require(try await s.ingress(canaryName), "\(canaryName) after promotion")
            #expect(after.at("metadata.annotations")?[Routes.nginxCanaryWeightAnnotation]?.stringValue == "0")
            #expect(after.at("metadata.annotations")?[Routes.nginxCanaryAnnotation]?.stringValue == "true")
            let userAfter = try #require(try await s.ingress("shop-ingress"))
            #expect(Routes.canonical(userAfter["spec"]) == Routes.canonical(user["spec"]), "the user's Ingress is only read")

            let log = try await s.namespaceWrites()
            let writes = log.filter { $0.path == s.objectPath("networking.k8s.io/v1", "ingresses", canaryName) && !$0.byKubectl }
            let weights = writes.compactMap { $0.body?.at("metadata.annotations")?[Routes.nginxCanaryWeightAnnotation]?.stringValue }
                .compactMap(Int.init)
            #expect(weights == Self.walk + [0], "canary-weight written: \(weights) (\(writes.map { "#\($0.index) \($0.method) \($0.mediaType)" }))")
            #expect(!log.contains { $0.path == s.objectPath("networking.k8s.io/v1", "ingresses", "shop-ingress") && !$0.byKubectl },
                    "the controller never writes the user's Ingress")
            let canaryWrites = Scenario.replicaWrites("shop-canary", in: log)
            for write in writes {
                guard let w = write.body?.at("metadata.annotations")?[Routes.nginxCanaryWeightAnnotation]?.stringValue.flatMap(Int.init),
                      w > 0 else { continue }
                #expect(canaryWrites.last { $0.index < write.index }?.replicas == canarySize(weight: w, replicas: Self.replicas),
                        "sized for \(w)% before the canary Ingress carried it: \(canaryWrites)")
            }
            if let last = writes.last {
                let scaledDown = canaryWrites.first { $0.replicas == 0 && $0.index > (writes.first?.index ?? 0) }
                #expect(scaledDown.map { $0.index > last.index } == true,
                        "shop-canary scaled to 0 (\(scaledDown.map { "#\($0.index)" } ?? "never")) only after the last canary Ingress write (#\(last.index))")
            }
        }
    }
}

extension RoutingTests {
    /// The route's weight patches walk the canary through 5, 25, 50, 100 then 0 exactly (stable the complement),
    /// each a guarded JSON patch that writes only the two Services' entries.
    /// From the request log: the route's guarded weight writes walked 5, 25, 50, 100 then 0 on the two entries
    /// only, the canary was sized before each raise and scaled down after the last write, and stable kept every
    /// replica while the canary ran. Returns the log for more checks.
    static func expectPromotionWalk(_ s: Scenario, route: String, entriesUnder prefix: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> [LoggedWrite] {
        let log = try await s.namespaceWrites()
        let patches = Scenario.controllerPatches(of: route, in: log).map(WeightPatch.init)
        expectGuardedWalk(patches, entriesUnder: prefix, allowedEntries: [0, 1], sourceLocation: sourceLocation)
        expectScaledAroundRoute(patches, log: log, sourceLocation: sourceLocation)
        let stableWrites = Scenario.replicaWrites("shop-stable", in: log).map(\.replicas)
        #expect(stableWrites.allSatisfy { $0 == replicas }, "shop-stable's replicas writes: \(stableWrites)", sourceLocation: sourceLocation)
        return log
    }

    static func expectGuardedWalk(_ patches: [WeightPatch], entriesUnder prefix: String, allowedEntries: Set<Int>,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let summary = patches.map(\.summary)
        #expect(patches.map { $0.weight("shop-canary") } == (walk + [0]).map(Optional.some),
                "canary weights written: \(summary)", sourceLocation: sourceLocation)
        #expect(patches.map { $0.weight("shop-stable") } == (walk + [0]).map { Optional.some(100 - $0) },
                "stable weights written: \(summary)", sourceLocation: sourceLocation)
        for patch in patches {
            #expect(patch.write.mediaType == "application/json-patch+json", "\(patch.write.contentType)", sourceLocation: sourceLocation)
            #expect(!patch.tests.isEmpty && patch.guarded, "every weight write is guarded by a test: \(patch.operations.map(\.jsonString))",
                    sourceLocation: sourceLocation)
            let touched = Set(patch.entries.compactMap { entry -> Int? in
                guard entry.hasPrefix(prefix) else { return -1 }
                return Int(entry.dropFirst(prefix.count))
            })
            #expect(touched.isSubset(of: allowedEntries), "only the two Services' entries are written: \(patch.entries)",
                    sourceLocation: sourceLocation)
            #expect(Set(patch.written.keys) == ["shop-stable", "shop-canary"], "\(patch.summary)", sourceLocation: sourceLocation)
        }
    }

    /// The canary had ceil(w × replicas) replicas before each raise of the route to w; it went 1, 3, 5, 10 then 0;
    /// and it was scaled to 0 only after the route's last write.
    static func expectScaledAroundRoute(_ patches: [WeightPatch], log: [LoggedWrite],
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        let canary = Scenario.replicaWrites("shop-canary", in: log)
        for patch in patches {
            guard let w = patch.weight("shop-canary"), w > 0 else { continue }
            #expect(canary.last { $0.index < patch.write.index }?.replicas == canarySize(weight: w, replicas: replicas),
                    "sized for \(w)% before the route sent it \(w)% (#\(patch.write.index)): \(canary)", sourceLocation: sourceLocation)
        }
        // (Leading zeros: a canary Deployment created empty before the first step, if any.)
        #expect(Array(Scenario.changes(canary.map(\.replicas)).drop { $0 == 0 }) == walk.map { canarySize(weight: $0, replicas: replicas) } + [0],
                "shop-canary's replicas: \(canary)", sourceLocation: sourceLocation)
        guard let last = patches.last else { return }
        let scaledDown = canary.first { $0.replicas == 0 && $0.index > (patches.first?.write.index ?? 0) }
        #expect(scaledDown.map { $0.index > last.write.index } == true,
                "shop-canary scaled to 0 (\(scaledDown.map { "#\($0.index)" } ?? "never")) only after the route's last write (#\(last.write.index))",
                sourceLocation: sourceLocation)
    }
}
