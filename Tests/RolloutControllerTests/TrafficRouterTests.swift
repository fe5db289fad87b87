import Foundation
import Kube
import KubeEmulator
import KubeJSON
import Logging
import RolloutAPI
import Synchronization
import Testing
import Yams

@testable import RolloutController

// The HTTPRoute and VirtualService routers against the in-process emulator over real HTTP, with the fixture CRDs
// from Tests/Fixtures/router-crds created from their YAML.

// MARK: - Harness

/// The fixture CRDs, parsed from their YAML files.
enum RouterCRDFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/router-crds")

    static let files = ["httproutes.gateway.networking.k8s.io.yaml", "virtualservices.networking.istio.io.yaml"]

    static func load(_ file: String) throws -> JSONValue {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let parsed = try #require(try Yams.load(yaml: text), "\(file) is empty")
        return try JSONValue(parsing: try JSONSerialization.data(withJSONObject: parsed))
    }
}

/// An emulator serving HTTPRoute and VirtualService, and a client for it.
struct RouteCluster {
    let client: KubeClient

    static func with<T>(_ body: (RouteCluster) async throws -> T) async throws -> T {
        var config = EmulatorConfiguration()
        config.createPods = false
        let emulator = try await KubeEmulator.start(config)
        var client: KubeClient?
        do {
            let c = try KubeClient(configuration: ClientConfiguration(server: emulator.url, requestTimeout: .seconds(10)), logger: quietLogger)
            client = c
            for file in RouterCRDFixtures.files {
                let _: DynamicObject = try await c.create(.customResourceDefinitions, DynamicObject(try RouterCRDFixtures.load(file)))
            }
            try await eventually("HTTPRoute and VirtualService to be served") {
                let routes: ObjectList<DynamicObject>? = try? await c.list(.httpRoutes, namespace: "default")
                let services: ObjectList<DynamicObject>? = try? await c.list(.virtualServices, namespace: "default")
                return routes != nil && services != nil
            }
            let result = try await body(RouteCluster(client: c))
            try await c.shutdown()
            await emulator.shutdown()
            return result
        } catch {
            try? await client?.shutdown()
            await emulator.shutdown()
            throw error
        }
    }

    func create(_ descriptor: ResourceDescriptor, _ object: JSONValue) async throws {
        let _: DynamicObject = try await client.create(descriptor, DynamicObject(object), namespace: "default")
    }

    func get(_ descriptor: ResourceDescriptor, _ name: String = "web") async throws -> JSONValue {
        let object: DynamicObject = try await client.get(descriptor, name: name, namespace: "default")
        return object.json
    }

    func jsonPatch(_ descriptor: ResourceDescriptor, _ operations: [JSONValue], name: String = "web") async throws {
        let _: DynamicObject = try await client.patch(descriptor, name: name, namespace: "default", .json(operations))
    }

    /// The next `count` requests with `verb` (an HTTP method, upper case) to a path containing `path` get `code`.
    func injectFault(path: String, verb: String, code: Int, count: Int = 1) async throws {
        try await client.injectEmulatorFault(path: path, verb: verb, code: code, count: count)
    }

    /// Injected faults not used up yet.
    func pendingFaults() async throws -> Int {
        let response = try await client.send(Request(method: .get, path: "/emulator.fledge.dev/faults", verb: "get"))
        return try JSONValue(parsing: response.body)["items"]?.arrayValue?.count ?? -1
    }
}

/// Forwards to a real transport, but first runs `edit` (someone else's write) before the first PATCH goes out:
/// the router's guarded patch then meets a route that changed after it was read.
final class EditBeforeFirstPatch: Transport {
    let base: any Transport
    let edit: @Sendable () async throws -> Void
    private let patches = Mutex(0)

    init(base: any Transport, edit: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.edit = edit
    }

    /// PATCH requests sent so far.
    var patchCount: Int { patches.withLock { $0 } }

    func send(_ request: Request, timeout: Duration) async throws -> Response {
        if request.method == .patch {
            let n = patches.withLock { count in
                count += 1
                return count
            }
            if n == 1 { try await edit() }
        }
        return try await base.send(request, timeout: timeout)
    }

    func stream(_ request: Request, timeout: Duration) async throws -> StreamingResponse {
        try await base.stream(request, timeout: timeout)
    }
}

// MARK: - The two routers as cases of one set of tests

/// One router and the route it is tested on: an unrelated split first, then the managed split with the stable
/// Service, a third backend and the canary Service.
struct RouterCase: Sendable, CustomTestStringConvertible {
    var name: String
    var descriptor: ResourceDescriptor
    var kind: RouterKind
    var makeRouter: @Sendable (KubeClient) -> any TrafficRouter
    /// The route `default/web`.
    var route: JSONValue
    /// The managed split's entries (`["spec", "rules", "1", "backendRefs"]`).
    var managedSplit: [String]
    /// The member of an entry that names its Service.
    var identity: [String]
    var stableName: String
    var canaryName: String
    /// The route with a managed split that names only the stable Service, and the sentence that says so.
    var stableOnly: JSONValue
    var stableOnlyMessage: String
    /// Someone else's edit, as JSON patch operations, after which a patch built before it must be refused.
    var concurrentEdit: [JSONValue]
    var guardedPatch: @Sendable (Int, JSONValue, RouteTarget) throws -> [JSONValue]

    var testDescription: String { name }

    var target: RouteTarget {
        RouteTarget(route: RouteReference(kind: kind, name: "web", namespace: "default"), rollout: "web", namespace: "default")
    }

    /// The weights of the managed split's stable and canary entries, found by the Services' names (not by index).
    func pairWeights(_ route: JSONValue) -> [Int?] {
        let entries = (try? route.value(at: JSONPointer(tokens: managedSplit)))?.arrayValue ?? []
        func weight(_ name: String) -> Int? {
            entries.first { $0[path: identity]?.stringValue == name }?["weight"]?.intValue
        }
        return [weight(stableName), weight(canaryName)]
    }

    /// `route` with the managed split's two weights set to `stable` and `canary`, and nothing else changed.
    func withPair(_ route: JSONValue, stable: Int, canary: Int) throws -> JSONValue {
        let pointer = JSONPointer(tokens: managedSplit)
        let entries = try #require(try route.value(at: pointer).arrayValue).map { entry in
            var entry = entry
            if entry[path: identity]?.stringValue == stableName { entry["weight"] = .number(Double(stable)) }
            if entry[path: identity]?.stringValue == canaryName { entry["weight"] = .number(Double(canary)) }
            return entry
        }
        return try route.applyingJSONPatch([["op": "replace", "path": .string(pointer.description), "value": .array(entries)]])
    }

    static let gateway = RouterCase(
        name: "HTTPRoute",
        descriptor: .httpRoutes,
        kind: .gatewayAPI,
        makeRouter: { GatewayAPIRouter.router(client: $0, fieldManager: "fledge-test") },
        route: [
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["team": "shop"]],
            "spec": [
                "parentRefs": [["name": "public", "namespace": "gateways", "sectionName": "https"]],
                "hostnames": ["web.example"],
                "rules": [
                    [
                        "name": "docs",
                        "matches": [["path": ["type": "PathPrefix", "value": "/docs"]]],
                        "backendRefs": [["name": "docs", "port": 8080, "weight": 3]],
                    ],
                    [
                        "matches": [["path": ["type": "PathPrefix", "value": "/"]], ["headers": [["name": "x-beta", "value": "1"]]]],
                        "filters": [["type": "RequestHeaderModifier", "requestHeaderModifier": ["add": [["name": "x-via", "value": "gw"]]]]],
                        "timeouts": ["request": "10s"],
                        "backendRefs": [
                            ["name": "web-stable", "port": 80, "weight": 100],
                            ["name": "mirror-sink", "port": 9000, "weight": 7,
                             "filters": [["type": "RequestHeaderModifier", "requestHeaderModifier": ["set": [["name": "x-sink", "value": "1"]]]]]],
                            ["name": "web-canary", "port": 80, "weight": 0],
                        ],
                    ],
                ],
            ],
        ],
        managedSplit: ["spec", "rules", "1", "backendRefs"],
        identity: ["name"],
        stableName: "web-stable",
        canaryName: "web-canary",
        stableOnly: [
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": ["name": "web"],
            "spec": ["rules": [
                ["backendRefs": [["name": "web-stable", "port": 80], ["name": "web-canary", "port": 80]]],
                ["name": "legacy", "backendRefs": [["name": "web-stable", "port": 80], ["name": "old-web", "port": 80]]],
            ]],
        ],
        stableOnlyMessage: "rule 1 (\"legacy\") of HTTPRoute default/web sends to Service web-stable but not to Service web-canary: add a backendRef for web-canary to it",
        // Someone else sets the canary's weight: the guard on its current weight no longer holds.
        concurrentEdit: [["op": "replace", "path": "/spec/rules/1/backendRefs/2/weight", "value": 10]],
        guardedPatch: { try GatewayAPIRouter.kind.guardedPatch(sending: $0, in: $1, for: $2) })

    static let istio = RouterCase(
        name: "VirtualService",
        descriptor: .virtualServices,
        kind: .istio,
        makeRouter: { IstioRouter.router(client: $0, fieldManager: "fledge-test") },
        route: [
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": [
                "hosts": ["web.example"],
                "gateways": ["istio-system/public"],
                "http": [
                    [
                        "name": "docs",
                        "match": [["uri": ["prefix": "/docs"]]],
                        "route": [["destination": ["host": "docs.default.svc.cluster.local", "port": ["number": 8080]]]],
                    ],
                    [
                        "name": "primary",
                        "retries": ["attempts": 3, "perTryTimeout": "2s"],
                        "route": [
                            ["destination": ["host": "web-stable", "port": ["number": 80]], "weight": 100,
                             "headers": ["request": ["set": ["x-track": "stable"]]]],
                            ["destination": ["host": "mirror-sink.default.svc.cluster.local", "subset": "v2"], "weight": 0],
                            ["destination": ["host": "web-canary", "port": ["number": 80]], "weight": 0],
                        ],
                    ],
                ],
            ],
        ],
        managedSplit: ["spec", "http", "1", "route"],
        identity: ["destination", "host"],
        stableName: "web-stable",
        canaryName: "web-canary",
        stableOnly: [
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": ["name": "web"],
            "spec": ["hosts": ["web.example"], "http": [
                ["name": "primary", "route": [["destination": ["host": "web-stable.default.svc.cluster.local"], "weight": 90],
                                              ["destination": ["host": "old-web"], "weight": 10]]],
            ]],
        ],
        stableOnlyMessage: "http route \"primary\" of VirtualService default/web sends to Service web-stable but not to Service web-canary: add a destination for web-canary to it",
        // Someone else puts a destination first: every index the patch was built with now points elsewhere.
        concurrentEdit: [["op": "add", "path": "/spec/http/1/route/0",
                          "value": ["destination": ["host": "shadow.default.svc.cluster.local"], "weight": 0]]],
        guardedPatch: { try IstioRouter.kind.guardedPatch(sending: $0, in: $1, for: $2) })

    static let all = [gateway, istio]
}

private func expectUnchanged(_ after: JSONValue, _ want: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(after["spec"] == want["spec"], sourceLocation: sourceLocation)
    #expect(try after["spec"]?.data(sortedKeys: true) == want["spec"]?.data(sortedKeys: true), sourceLocation: sourceLocation)
    #expect(after["metadata"]?["labels"] == want["metadata"]?["labels"], sourceLocation: sourceLocation)
    #expect(after["metadata"]?["annotations"] == want["metadata"]?["annotations"], sourceLocation: sourceLocation)
}

// MARK: - Tests

@Suite("TrafficRouterTests", .serialized)
struct TrafficRouterTests {
    @Test func fixtureCRDsAreTheKindsTheRoutersUse() throws {
        let route = try RouterCRDFixtures.load("httproutes.gateway.networking.k8s.io.yaml")
        #expect(route[path: ["spec", "group"]] == .string(ResourceDescriptor.httpRoutes.group))
        #expect(route[path: ["spec", "names", "plural"]] == .string(ResourceDescriptor.httpRoutes.plural))
        #expect(route[path: ["spec", "names", "kind"]] == "HTTPRoute")
        #expect(route[path: ["spec", "names", "listKind"]] == "HTTPRouteList")
        #expect(route[path: ["spec", "versions"]]?.arrayValue?.first?["name"] == .string(ResourceDescriptor.httpRoutes.version))
        #expect(route[path: ["spec", "versions"]]?.arrayValue?.first?["subresources"]?["status"] == [:])
        let vs = try RouterCRDFixtures.load("virtualservices.networking.istio.io.yaml")
        #expect(vs[path: ["spec", "group"]] == .string(ResourceDescriptor.virtualServices.group))
        #expect(vs[path: ["spec", "names", "plural"]] == .string(ResourceDescriptor.virtualServices.plural))
        #expect(vs[path: ["spec", "versions"]]?.arrayValue?.first?["name"] == .string(ResourceDescriptor.virtualServices.version))
    }

    @Test func crdSchemaRejectsAnOutOfRangeWeight() async throws {
        try await RouteCluster.with { cluster in
            var route = RouterCase.gateway.route
            route[path: ["spec", "rules"]] = [["backendRefs": [["name": "web-stable", "weight": 1_000_001]]]]
            await #expect(throws: KubeError.self) { try await cluster.create(.httpRoutes, route) }
        }
    }

    @Test(arguments: RouterCase.all)
    func readAndSetWeights(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            let router = c.makeRouter(cluster.client)
            let before = try await cluster.get(c.descriptor)
            #expect(try await router.read(c.target) == .weights(RouteWeights(canary: [0])))
            for weight in [5, 25, 50, 100, 0] {
                let written = try await router.setWeight(weight, on: c.target)
                #expect(written == .weights(RouteWeights(canary: [weight])), "setWeight(\(weight))")
                let after = try await cluster.get(c.descriptor)
                #expect(c.pairWeights(after) == [100 - weight, weight], "setWeight(\(weight))")
                try expectUnchanged(after, try c.withPair(before, stable: 100 - weight, canary: weight))
                #expect(try await router.read(c.target) == .weights(RouteWeights(canary: [weight])))
            }
        }
    }

    @Test(arguments: RouterCase.all)
    func settingTheWeightItHasWritesNothing(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            let router = c.makeRouter(cluster.client)
            _ = try await router.setWeight(5, on: c.target)
            let version = try await cluster.get(c.descriptor)["metadata"]?["resourceVersion"]
            #expect(try await router.setWeight(5, on: c.target) == .weights(RouteWeights(canary: [5])))
            #expect(try await cluster.get(c.descriptor)["metadata"]?["resourceVersion"] == version)
        }
    }

    @Test(arguments: RouterCase.all)
    func missingRouteIsNotFoundAndNothingIsWritten(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            let router = c.makeRouter(cluster.client)
            let notFound = RouteObservation.notFound("\(c.target.route) not found")
            #expect(try await router.read(c.target) == notFound)
            #expect(try await router.setWeight(25, on: c.target) == notFound)
            try await router.cleanUp(c.target)
            await #expect(throws: KubeError.self) { _ = try await cluster.get(c.descriptor) }
        }
    }

    @Test(arguments: RouterCase.all)
    func splitNamingOnlyTheStableServiceIsUnusable(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.stableOnly)
            let router = c.makeRouter(cluster.client)
            let before = try await cluster.get(c.descriptor)
            #expect(try await router.read(c.target) == .unusable(c.stableOnlyMessage))
            #expect(try await router.setWeight(25, on: c.target) == .unusable(c.stableOnlyMessage))
            try await router.cleanUp(c.target)
            #expect(try await cluster.get(c.descriptor) == before, "an unusable route is never written")
        }
    }

    @Test(arguments: RouterCase.all)
    func forbiddenReadIsUnusableWithTheReason(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            try await cluster.injectFault(path: "/\(c.descriptor.plural)/web", verb: "GET", code: 403)
            let observation = try await c.makeRouter(cluster.client).read(c.target)
            #expect(observation == .unusable("not allowed to read \(c.target.route): forbidden (injected)"))
        }
    }

    @Test(arguments: RouterCase.all)
    func conflictOnPatchIsRetried(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            try await cluster.injectFault(path: "/\(c.descriptor.plural)/web", verb: "PATCH", code: 409)
            #expect(try await c.makeRouter(cluster.client).setWeight(25, on: c.target) == .weights(RouteWeights(canary: [25])))
            #expect(try await cluster.pendingFaults() == 0, "the injected conflict was met")
            #expect(c.pairWeights(try await cluster.get(c.descriptor)) == [75, 25])
        }
    }

    @Test(arguments: RouterCase.all)
    func conflictOnEveryAttemptIsAClearError(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            try await cluster.injectFault(path: "/\(c.descriptor.plural)/web", verb: "PATCH", code: 409, count: 5)
            do {
                _ = try await c.makeRouter(cluster.client).setWeight(25, on: c.target)
                Issue.record("setWeight succeeded against a route in conflict on every write")
            } catch let error as RouteWriteContention {
                #expect(error.attempts == 5)
                #expect(error.description.hasPrefix("could not set the weights of \(c.target.route): it was changed by someone else before each of 5 writes"))
            }
            #expect(try await cluster.pendingFaults() == 0)
            #expect(c.pairWeights(try await cluster.get(c.descriptor)) == [100, 0])
        }
    }

    @Test(arguments: RouterCase.all)
    func staleGuardedPatchIsRefusedByTheServer(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            let read = try await cluster.get(c.descriptor)
            let stale = try c.guardedPatch(25, read, c.target)
            #expect(!stale.isEmpty)
            try await cluster.jsonPatch(c.descriptor, c.concurrentEdit)
            let edited = try await cluster.get(c.descriptor)
            do {
                try await cluster.jsonPatch(c.descriptor, stale)
                Issue.record("a patch built before someone else's edit was applied")
            } catch let error as KubeError {
                guard case .invalid = error else { throw error }
            }
            #expect(try await cluster.get(c.descriptor) == edited, "the refused patch changed nothing")
            #expect(try await c.makeRouter(cluster.client).setWeight(25, on: c.target) == .weights(RouteWeights(canary: [25])))
            let after = try await cluster.get(c.descriptor)
            #expect(c.pairWeights(after) == [75, 25])
            try expectUnchanged(after, try c.withPair(edited, stable: 75, canary: 25))
        }
    }

    @Test(arguments: RouterCase.all)
    func editBetweenReadAndWriteIsRetriedFromAFreshRead(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            let created = try await cluster.get(c.descriptor)
            let interposer = EditBeforeFirstPatch(base: cluster.client.transport) { [cluster] in
                try await cluster.jsonPatch(c.descriptor, c.concurrentEdit)
            }
            let client = try KubeClient(configuration: cluster.client.configuration, transport: interposer, logger: quietLogger)
            #expect(try await c.makeRouter(client).setWeight(25, on: c.target) == .weights(RouteWeights(canary: [25])))
            #expect(interposer.patchCount == 2, "the first guarded patch was refused and rebuilt")
            let after = try await cluster.get(c.descriptor)
            #expect(c.pairWeights(after) == [75, 25])
            let edited = try created.applyingJSONPatch(.array(c.concurrentEdit))
            try expectUnchanged(after, try c.withPair(edited, stable: 75, canary: 25))
        }
    }

    @Test(arguments: RouterCase.all)
    func cleanUpSendsEverythingToStable(_ c: RouterCase) async throws {
        try await RouteCluster.with { cluster in
            try await cluster.create(c.descriptor, c.route)
            let router = c.makeRouter(cluster.client)
            _ = try await router.setWeight(50, on: c.target)
            let before = try await cluster.get(c.descriptor)
            try await router.cleanUp(c.target)
            let after = try await cluster.get(c.descriptor)
            #expect(c.pairWeights(after) == [100, 0])
            try expectUnchanged(after, try c.withPair(before, stable: 100, canary: 0))
            #expect(try await router.read(c.target) == .weights(RouteWeights(canary: [0])))
        }
    }

    // MARK: Gateway API only

    @Test func gatewayBackendRefsWrittenWithoutWeightsAreHalfAndHalf() async throws {
        try await RouteCluster.with { cluster in
            // Written without weight or kind: the CRD defaults them (weight 1, kind Service), as upstream does.
            var route = RouterCase.gateway.route
            route[path: ["spec", "rules"]] = [["backendRefs": [["name": "web-stable", "port": 80], ["name": "web-canary", "port": 80]]]]
            try await cluster.create(.httpRoutes, route)
            let router = GatewayAPIRouter.router(client: cluster.client)
            let target = RouterCase.gateway.target
            #expect(try await router.read(target) == .weights(RouteWeights(canary: [50])))
            #expect(try await router.setWeight(5, on: target) == .weights(RouteWeights(canary: [5])))
            let refs = try await cluster.get(.httpRoutes)[path: ["spec", "rules"]]?.arrayValue?.first?["backendRefs"]?.arrayValue ?? []
            #expect(refs.map { $0["weight"] } == [95, 5])
            #expect(refs.map { $0["kind"] } == ["Service", "Service"])
        }
    }

    // MARK: Istio only

    @Test func istioNamedRoutesOnlyTouchThoseRoutes() async throws {
        try await RouteCluster.with { cluster in
            let pair: JSONValue = [["destination": ["host": "web-stable"], "weight": 100], ["destination": ["host": "web-canary"], "weight": 0]]
            let vs: JSONValue = [
                "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": ["name": "web"],
                "spec": ["hosts": ["web.example"], "http": [
                    ["name": "primary", "match": [["uri": ["prefix": "/"]]], "route": pair],
                    ["name": "mobile", "match": [["headers": ["user-agent": ["regex": ".*Mobile.*"]]]], "route": pair],
                    ["name": "beta", "route": pair],
                ]],
            ]
            try await cluster.create(.virtualServices, vs)
            let router = IstioRouter.router(client: cluster.client)
            let target = RouteTarget(route: RouteReference(kind: .istio, name: "web", namespace: "default", routes: ["mobile", "beta"]),
                                     rollout: "web", namespace: "default")
            #expect(try await router.setWeight(25, on: target) == .weights(RouteWeights(canary: [25, 25])))
            let http = try await cluster.get(.virtualServices)[path: ["spec", "http"]]?.arrayValue ?? []
            #expect(http.map { $0["route"]?.arrayValue?.map { $0["weight"] } ?? [] } == [[100, 0], [75, 25], [75, 25]])
            #expect(http.first == vs[path: ["spec", "http"]]?.arrayValue?.first, "the route not named is untouched")

            let missing = RouteTarget(route: RouteReference(kind: .istio, name: "web", namespace: "default", routes: ["mobile", "tablet"]),
                                      rollout: "web", namespace: "default")
            let unusable = RouteObservation.unusable("VirtualService default/web has no http route named \"tablet\" (it has \"primary\", \"mobile\", \"beta\"): fix the Rollout's spec.strategy.canary.trafficRouting.istio.virtualService.routes")
            #expect(try await router.read(missing) == unusable)
            #expect(try await router.setWeight(50, on: missing) == unusable)
        }
    }

    @Test func istioThirdDestinationKeepsItsWeightAndThePairFillsTheRest() async throws {
        try await RouteCluster.with { cluster in
            let vs: JSONValue = [
                "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": ["name": "web"],
                "spec": ["hosts": ["web.example"], "http": [
                    ["route": [["destination": ["host": "web-stable.default.svc.cluster.local"], "weight": 80],
                               ["destination": ["host": "legacy"], "weight": 20],
                               ["destination": ["host": "web-canary.default.svc.cluster.local"]]]],
                ]],
            ]
            try await cluster.create(.virtualServices, vs)
            let router = IstioRouter.router(client: cluster.client)
            let target = RouterCase.istio.target
            #expect(try await router.read(target) == .weights(RouteWeights(canary: [0])))
            // The pair shares 80: 5 % of it is 4, 25 % is 20, 50 % is 40.
            for (weight, stable, canary) in [(5, 76, 4), (25, 60, 20), (50, 40, 40), (100, 0, 80), (0, 80, 0)] {
                let observed = try await router.setWeight(weight, on: target)
                #expect(observed == .weights(RouteWeights(canary: [weight])), "setWeight(\(weight))")
                let route = try await cluster.get(.virtualServices)[path: ["spec", "http"]]?.arrayValue?.first?["route"]?.arrayValue ?? []
                #expect(route.map { $0["weight"] } == [JSONValue.number(Double(stable)), 20, JSONValue.number(Double(canary))], "setWeight(\(weight))")
            }
        }
    }
}
