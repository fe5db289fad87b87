import Foundation
import Kube
import KubeEmulator
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

// The NGINX router against the in-process emulator over real HTTP: the user's Ingress is read, never written; the
// canary Ingress is Fledge's, applied with force.

/// An emulator, a client, the router and an owner object (a ConfigMap standing in for the Rollout).
private struct NginxCluster {
    static let namespace = "default"
    static let fieldManager = "fledge-nginx-test"
    static let canaryName = NginxRouter.canaryIngressName(for: "shop")

    let client: KubeClient
    let router: NginxRouter
    let owner: OwnerReference
    var target: RouteTarget {
        RouteTarget(route: RouteReference(kind: .nginx, name: "shop", namespace: Self.namespace), rollout: "web",
                    namespace: Self.namespace, owner: owner)
    }

    static func with(_ body: (NginxCluster) async throws -> Void) async throws {
        var config = EmulatorConfiguration()
        config.createPods = false
        let emulator = try await KubeEmulator.start(config)
        let client: KubeClient
        do {
            client = try KubeClient(configuration: ClientConfiguration(server: emulator.url, requestTimeout: .seconds(10)),
                                    logger: quietLogger)
        } catch {
            await emulator.shutdown()
            throw error
        }
        do {
            let owner: DynamicObject = try await client.create(
                .configMaps, DynamicObject(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web-owner"]]),
                namespace: namespace)
            let reference = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "web-owner", uid: owner.metadata.uid ?? "",
                                           controller: true, blockOwnerDeletion: true)
            try await body(NginxCluster(client: client, router: NginxRouter(client: client, fieldManager: fieldManager),
                                        owner: reference))
        } catch {
            try? await client.shutdown()
            await emulator.shutdown()
            throw error
        }
        try await client.shutdown()
        await emulator.shutdown()
    }

    // MARK: Objects

    func createUserIngress(_ ingress: JSONValue = Ingresses.user) async throws {
        let _: DynamicObject = try await client.create(.ingresses, DynamicObject(ingress), namespace: Self.namespace)
    }

    /// An Ingress as stored, or nil when there is none.
    func ingress(_ name: String) async throws -> JSONValue? {
        do {
            let object: DynamicObject = try await client.get(.ingresses, name: name, namespace: Self.namespace)
            return object.json
        } catch KubeError.notFound {
            return nil
        }
    }

    func canary() async throws -> JSONValue? { try await ingress(Self.canaryName) }

    /// Another writer (kubectl edit, say) merge-patches the canary Ingress.
    func editCanary(_ patch: JSONValue) async throws {
        let _: DynamicObject = try await client.patch(.ingresses, name: Self.canaryName, namespace: Self.namespace, .merge(patch),
                                                      options: WriteOptions(fieldManager: "kubectl-edit"))
    }

    /// The next `count` requests whose path contains `path` (and of `verb`) fail with `code`.
    func injectFault(path: String, verb: String, code: Int, count: Int = 1) async throws {
        try await client.injectEmulatorFault(path: path, verb: verb, code: code, count: count)
    }
}

/// The user's Ingress and what its canary should hold.
private enum Ingresses {
    static func backend(_ service: String, port: JSONValue) -> JSONValue { ["service": ["name": .string(service), "port": port]] }

    /// Two hosts with paths to `web-stable` (by number and by port name), a path to an unrelated Service beside
    /// them, a host that sends only elsewhere, TLS and both ways of naming the class.
    static let user: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": ["name": "shop", "annotations": ["kubernetes.io/ingress.class": "nginx", "team": "shop"],
                     "labels": ["app": "shop"]],
        "spec": [
            "ingressClassName": "nginx",
            "tls": [["hosts": ["shop.example.com", "api.example.com"], "secretName": "shop-tls"]],
            "rules": [
                ["host": "shop.example.com", "http": ["paths": [
                    ["path": "/", "pathType": "Prefix", "backend": backend("web-stable", port: ["number": 80])],
                    ["path": "/admin", "pathType": "Prefix", "backend": backend("admin", port: ["number": 8080])],
                ]]],
                ["host": "static.example.com", "http": ["paths": [
                    ["path": "/", "pathType": "Prefix", "backend": backend("cdn", port: ["number": 80])],
                ]]],
                ["host": "api.example.com", "http": ["paths": [
                    ["path": "/v1", "pathType": "Exact", "backend": backend("web-stable", port: ["name": "http"])],
                ]]],
            ],
        ],
    ]

    /// The canary's spec for `user`: only the stable paths, pointed at `web-canary`, ports kept.
    static let canarySpec: JSONValue = [
        "ingressClassName": "nginx",
        "tls": [["hosts": ["shop.example.com", "api.example.com"], "secretName": "shop-tls"]],
        "rules": [
            ["host": "shop.example.com", "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": backend("web-canary", port: ["number": 80])],
            ]]],
            ["host": "api.example.com", "http": ["paths": [
                ["path": "/v1", "pathType": "Exact", "backend": backend("web-canary", port: ["name": "http"])],
            ]]],
        ],
    ]

    /// An Ingress that sends nothing to `web-stable`.
    static let elsewhere: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "shop"],
        "spec": ["ingressClassName": "nginx", "rules": [["host": "shop.example.com", "http": ["paths": [
            ["path": "/", "pathType": "Prefix", "backend": backend("web", port: ["number": 80])],
        ]]]]],
    ]

    /// Only a default backend, to `web-stable`, under the class annotation alone.
    static let defaultBackendOnly: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": ["name": "shop", "annotations": ["kubernetes.io/ingress.class": "nginx"]],
        "spec": ["defaultBackend": backend("web-stable", port: ["number": 80])],
    ]
}

@Suite struct NginxRouterTests {
    @Test func readsZeroBeforeAnyWrite() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [0])))
            #expect(try await c.canary() == nil)
        }
    }

    @Test func setWeightAppliesTheCanaryIngressAndLeavesTheUsersAlone() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            let userBefore = try await c.ingress("shop")
            for weight in [5, 25, 50, 100, 0] {
                #expect(try await c.router.setWeight(weight, on: c.target) == .weights(RouteWeights(canary: [weight])))
                let canary = try #require(try await c.canary())
                #expect(canary[path: ["metadata", "annotations"]] == [
                    "nginx.ingress.kubernetes.io/canary": "true",
                    "nginx.ingress.kubernetes.io/canary-weight": .string(String(weight)),
                    "kubernetes.io/ingress.class": "nginx",
                ])
                #expect(canary["spec"] == Ingresses.canarySpec)
                #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [weight])))
            }
            #expect(try await c.ingress("shop") == userBefore)

            let canary = try #require(try await c.canary())
            #expect(canary[path: ["metadata", "labels"]] == ["fledge.dev/rollout": "web"])
            let owner = try JSONValue(encoding: c.owner)
            #expect(canary[path: ["metadata", "ownerReferences"]] == [owner])
            let managers = canary[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managers.compactMap { $0["manager"]?.stringValue } == [NginxCluster.fieldManager])
            #expect(managers.compactMap { $0["operation"]?.stringValue } == ["Apply"])

            // Owned by the Rollout: garbage-collected with it.
            try await c.client.delete(.configMaps, name: "web-owner", namespace: NginxCluster.namespace)
            try await eventually("the canary Ingress to be garbage-collected") { try await c.canary() == nil }
            #expect(try await c.ingress("shop") == userBefore)
        }
    }

    @Test func sameWeightTwiceWritesNothing() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            _ = try await c.router.setWeight(25, on: c.target)
            let first = try #require(try await c.canary())
            _ = try await c.router.setWeight(25, on: c.target)
            #expect(try await c.canary()?[path: ["metadata", "resourceVersion"]] == first[path: ["metadata", "resourceVersion"]])
        }
    }

    @Test func defaultBackendAndClassAnnotationAreCopied() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress(Ingresses.defaultBackendOnly)
            #expect(try await c.router.setWeight(10, on: c.target) == .weights(RouteWeights(canary: [10])))
            let canary = try #require(try await c.canary())
            #expect(canary["spec"] == ["defaultBackend": Ingresses.backend("web-canary", port: ["number": 80])])
            #expect(canary[path: ["metadata", "annotations", "kubernetes.io/ingress.class"]] == "nginx")
        }
    }

    @Test func anEditedWeightIsReportedThenRepaired() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            _ = try await c.router.setWeight(25, on: c.target)

            try await c.editCanary(["metadata": ["annotations": ["nginx.ingress.kubernetes.io/canary-weight": "60"]]])
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [60])))
            #expect(try await c.router.setWeight(25, on: c.target) == .weights(RouteWeights(canary: [25])))
            #expect(try await c.canary()?[path: ["metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"]] == "25")

            try await c.editCanary(["metadata": ["annotations": ["nginx.ingress.kubernetes.io/canary-weight": "lots"]]])
            // Fledge's own object, broken: stale (the planner writes and repairs it), not a problem that would hold
            // the rollout; an unreadable weight may be anything, so it is sized for everything.
            let garbled = try await c.router.read(c.target)
            #expect(garbled == .weights(RouteWeights(canary: [100], stale: true)))
            #expect(garbled.weights?.isAt(25) == false)
            #expect(garbled.problem == nil)

            try await c.editCanary(["metadata": ["annotations": ["nginx.ingress.kubernetes.io/canary-weight": "101"]]])
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [100], stale: true)))

            // Not marked as a canary any more, its weight still readable: that weight, stale.
            try await c.editCanary(["metadata": ["annotations": ["nginx.ingress.kubernetes.io/canary": nil,
                                                                 "nginx.ingress.kubernetes.io/canary-weight": "25"]]])
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [25], stale: true)))

            #expect(try await c.router.setWeight(40, on: c.target) == .weights(RouteWeights(canary: [40])))
            let repaired = try #require(try await c.canary())
            #expect(repaired[path: ["metadata", "annotations", "nginx.ingress.kubernetes.io/canary"]] == "true")
            #expect(repaired[path: ["metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"]] == "40")
        }
    }

    @Test func anEditedCanarySpecOrANewStablePathReadsAsNotAtTheWeight() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            _ = try await c.router.setWeight(30, on: c.target)

            // Someone points the canary's paths elsewhere: its weight annotation still says 30, but it is stale.
            try await c.editCanary(["spec": ["rules": [["host": "shop.example.com", "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": Ingresses.backend("somewhere", port: ["number": 80])],
            ]]]]]])
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [30], stale: true)))
            #expect(try await c.router.setWeight(30, on: c.target) == .weights(RouteWeights(canary: [30])))
            #expect(try await c.canary()?["spec"] == Ingresses.canarySpec)

            // The user adds a path to the stable Service: the canary does not carry it until the next write.
            var user = try #require(try await c.ingress("shop"))
            var rules = user[path: ["spec", "rules"]]?.arrayValue ?? []
            rules.append(["host": "m.example.com", "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": Ingresses.backend("web-stable", port: ["number": 80])],
            ]]])
            user[path: ["spec", "rules"]] = .array(rules)
            let _: DynamicObject = try await c.client.update(.ingresses, DynamicObject(user))
            let stale = try await c.router.read(c.target)
            #expect(stale == .weights(RouteWeights(canary: [30], stale: true)))
            #expect(stale.weights?.isAt(30) == false)
            #expect(try await c.router.setWeight(30, on: c.target) == .weights(RouteWeights(canary: [30])))
            #expect(try await c.canary()?[path: ["spec", "rules"]]?.arrayValue?.last?["host"] == "m.example.com")
        }
    }

    @Test func aClassDefaultedOnTheCanaryIngressIsNotStaleWhenTheUsersNamesNone() async throws {
        try await NginxCluster.with { c in
            var user = Ingresses.user
            user[path: ["spec", "ingressClassName"]] = nil
            try await c.createUserIngress(user)
            _ = try await c.router.setWeight(30, on: c.target)
            // What the DefaultIngressClass admission plugin does to an Ingress created without a class.
            try await c.editCanary(["spec": ["ingressClassName": "nginx-default"]])
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [30])))
        }
    }

    @Test func missingUserIngressIsNotFoundAndNothingIsCreated() async throws {
        try await NginxCluster.with { c in
            let read = try await c.router.read(c.target)
            #expect(read == .notFound("Ingress default/shop not found"))
            let written = try await c.router.setWeight(50, on: c.target)
            #expect(written == .notFound("Ingress default/shop not found"))
            #expect(try await c.canary() == nil)
        }
    }

    @Test func anIngressWithNoPathToStableIsUnusable() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress(Ingresses.elsewhere)
            let read = try await c.router.read(c.target)
            #expect(read.canaryShare == nil)
            #expect(read.problem?.contains("Ingress default/shop") == true)
            #expect(read.problem?.contains("web-stable") == true)
            let written = try await c.router.setWeight(50, on: c.target)
            #expect(written == read)
            #expect(try await c.canary() == nil)
        }
    }

    @Test func cleanUpDeletesTheCanaryIngressAndIsANoOpWithoutOne() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            let userBefore = try await c.ingress("shop")
            _ = try await c.router.setWeight(50, on: c.target)
            #expect(try await c.canary() != nil)
            try await c.router.cleanUp(c.target)
            #expect(try await c.canary() == nil)
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [0])))
            try await c.router.cleanUp(c.target)
            #expect(try await c.ingress("shop") == userBefore)
            // Nothing to clean up when the user's Ingress is gone either.
            try await c.client.delete(.ingresses, name: "shop", namespace: NginxCluster.namespace)
            try await c.router.cleanUp(c.target)
        }
    }

    @Test func anIngressOfTheCanaryNameThatIsNotFledgesIsLeftAlone() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            var foreign = Ingresses.elsewhere
            foreign[path: ["metadata", "name"]] = .string(NginxCluster.canaryName)
            try await c.createUserIngress(foreign)
            let before = try await c.canary()
            let read = try await c.router.read(c.target)
            #expect(read.problem?.contains("is not this Rollout's") == true)
            #expect(try await c.router.setWeight(50, on: c.target) == read)
            try await c.router.cleanUp(c.target)
            #expect(try await c.canary() == before)
        }
    }

    @Test func forbiddenIsUnusableAndOtherFailuresAreThrown() async throws {
        try await NginxCluster.with { c in
            try await c.createUserIngress()
            try await c.injectFault(path: "/ingresses/shop", verb: "get", code: 403)
            let forbidden = try await c.router.read(c.target)
            #expect(forbidden.canaryShare == nil)
            #expect(forbidden.problem?.contains("not allowed to read Ingress default/shop") == true)

            _ = try await c.router.setWeight(20, on: c.target)
            try await c.injectFault(path: "/ingresses/shop-canary", verb: "patch", code: 403)
            let refused = try await c.router.setWeight(30, on: c.target)
            #expect(refused.problem?.contains("not allowed to write Ingress default/shop-canary") == true)
            #expect(try await c.router.read(c.target) == .weights(RouteWeights(canary: [20])))

            try await c.injectFault(path: "/ingresses/shop-canary", verb: "get", code: 503)
            await #expect(throws: KubeError.self) { try await c.router.read(c.target) }
        }
    }
}
