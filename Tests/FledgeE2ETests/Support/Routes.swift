import Foundation
import KubeJSON
import RolloutAPI
import Synchronization

/// The HTTPRoute and VirtualService CRDs (test stand-ins for the upstream ones, in Tests/Fixtures/router-crds),
/// applied once per test process with real kubectl and Established before any routing scenario uses them.
enum RouterCRDs {
    static let names = ["httproutes.gateway.networking.k8s.io", "virtualservices.networking.istio.io"]
    static var directory: String { E2EPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/router-crds").path }

    private static let applied = Mutex<Task<Void, any Error>?>(nil)

    /// Applies the CRDs (idempotent) and waits until both are Established; later calls reuse the first.
    static func ensure(_ kubectl: Kubectl) async throws {
        let task = applied.withLock { task in
            if let task { return task }
            let started = Task {
                guard FileManager.default.fileExists(atPath: directory) else {
                    throw E2EError("the router CRD fixtures are missing: \(directory)")
                }
                try await kubectl.ok("apply", "-f", directory)
                try await kubectl.ok(["wait", "--for=condition=Established", "--timeout=60s"] + names.map { "crd/\($0)" })
            }
            task = started
            return started
        }
        try await task.value
    }
}

/// Builders of the routes the routing scenarios create, and of the Rollout's `trafficRouting`.
enum Routes {
    // MARK: spec.strategy.canary.trafficRouting

    static func gatewayAPI(httpRoute name: String) -> JSONValue {
        ["gatewayAPI": ["httpRoute": ["name": .string(name)]]]
    }

    static func istio(virtualService name: String, routes: [String]) -> JSONValue {
        ["istio": ["virtualService": ["name": .string(name), "routes": .array(routes.map { .string($0) })]]]
    }

    static func nginx(ingress name: String) -> JSONValue {
        ["nginx": ["ingress": .string(name)]]
    }

    // MARK: Gateway API

    /// A backendRef to a Service on port 80, with a weight when given.
    static func backendRef(_ service: String, weight: Int?, port: Int = 80) -> JSONValue {
        var ref: [String: JSONValue] = ["name": .string(service), "port": .number(Double(port))]
        if let weight { ref["weight"] = .number(Double(weight)) }
        return .object(ref)
    }

    static func httpRoute(name: String, namespace: String, rules: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "parentRefs": [["name": "shared-gateway", "namespace": "infra"]],
                "hostnames": ["shop.example"],
                "rules": .array(rules),
            ],
        ]
    }

    // MARK: Istio

    /// A destination by host, with a weight when given.
    static func destination(_ host: String, weight: Int?) -> JSONValue {
        var entry: [String: JSONValue] = ["destination": ["host": .string(host)]]
        if let weight { entry["weight"] = .number(Double(weight)) }
        return .object(entry)
    }

    static func virtualService(name: String, namespace: String, http: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["hosts": ["shop.example"], "gateways": ["infra/shared-gateway"], "http": .array(http)],
        ]
    }

    // MARK: NGINX

    /// The name of the canary Ingress Fledge keeps for the user's Ingress `ingress`: mirrors
    /// `NginxRouter.canaryIngressName(for:)` (RolloutController is not a dependency of this test target).
    static func nginxCanaryIngressName(for ingress: String) -> String { "\(ingress)-canary" }
    static let nginxCanaryAnnotation = "nginx.ingress.kubernetes.io/canary"
    static let nginxCanaryWeightAnnotation = "nginx.ingress.kubernetes.io/canary-weight"

    /// An Ingress path sending `path` (Prefix) to a Service's port 80.
    static func ingressPath(_ path: String, to service: String) -> JSONValue {
        ["path": .string(path), "pathType": "Prefix",
         "backend": ["service": ["name": .string(service), "port": ["number": 80]]]]
    }

    static func ingress(name: String, namespace: String, host: String, paths: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "ingressClassName": "nginx",
                "rules": [["host": .string(host), "http": ["paths": .array(paths)]]],
            ],
        ]
    }

    // MARK: Reading weights

    /// The weights of a list of weighted entries (HTTPRoute backendRefs, VirtualService destinations), by the name
    /// `key` finds in each entry (nil weights are left out).
    static func weights(of entries: JSONValue?, key: (JSONValue) -> String?) -> [String: Int] {
        var out: [String: Int] = [:]
        for entry in entries?.arrayValue ?? [] {
            if let name = key(entry), let weight = entry["weight"]?.intValue { out[name] = weight }
        }
        return out
    }

    /// `spec.rules[rule].backendRefs` weights by backend name.
    static func httpRouteWeights(_ route: JSONValue, rule: Int = 0) -> [String: Int] {
        weights(of: route.at("spec.rules[\(rule)].backendRefs")) { $0["name"]?.stringValue }
    }

    /// The weights of the VirtualService's http route named `name`, by destination host.
    static func virtualServiceWeights(_ vs: JSONValue, route name: String) -> [String: Int] {
        let route = vs.at("spec.http")?.arrayValue?.first { $0["name"]?.stringValue == name }
        return weights(of: route?["route"]) { $0.string("destination.host") }
    }

    /// A stable, byte-comparable rendering (sorted keys).
    static func canonical(_ value: JSONValue?) -> String {
        guard let value, let data = try? value.data(sortedKeys: true) else { return "<absent>" }
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - The emulator's request log

/// One mutating request of the emulator's log, with its position in the whole log (for "before"/"after").
struct LoggedWrite: Sendable {
    var index: Int
    /// The Kubernetes verb (create, update, patch, delete).
    var verb: String
    var method: String
    var path: String
    var contentType: String
    var userAgent: String
    var body: JSONValue?

    /// Sent by the test's kubectl (not by the controller).
    var byKubectl: Bool { userAgent.lowercased().hasPrefix("kubectl") }

    /// The media type, without parameters.
    var mediaType: String {
        contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}

/// The weights one JSON patch (RFC 6902) writes into a route's weighted entries, read from its operations: each
/// `replace`/`add` of `<entry>/weight` is attributed to the Service its `test` of `<entry>/…` names.
struct WeightPatch: Sendable {
    var write: LoggedWrite
    var operations: [JSONValue]
    /// Service (backendRef name or destination host) → the weights written to it, one per split, in order.
    var written: [String: [Int]]
    /// The entries (e.g. `/spec/rules/0/backendRefs/1`) whose weight is written.
    var entries: [String]
    /// Every weight write is preceded by a `test` of the same entry's identity.
    var guarded: Bool
    /// The `test` operations.
    var tests: [JSONValue]

    init(_ write: LoggedWrite) {
        self.write = write
        operations = write.body?.arrayValue ?? []
        written = [:]
        entries = []
        guarded = true
        tests = operations.filter { $0["op"]?.stringValue == "test" }
        for (i, op) in operations.enumerated() {
            guard let kind = op["op"]?.stringValue, kind == "replace" || kind == "add",
                  let path = op["path"]?.stringValue, path.hasSuffix("/weight"),
                  let weight = op["value"]?.intValue else { continue }
            let entry = String(path.dropLast("/weight".count))
            entries.append(entry)
            let identity = operations[..<i].last { t in
                t["op"]?.stringValue == "test" && (t["path"]?.stringValue ?? "").hasPrefix(entry + "/")
                    && t["value"]?.stringValue != nil
            }
            if identity == nil { guarded = false }
            written[identity?["value"]?.stringValue ?? "?", default: []].append(weight)
        }
    }

    /// The one weight this patch gives `service` (nil when it writes none, or different ones at different splits).
    func weight(_ service: String) -> Int? {
        guard let values = written[service], let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    var summary: String {
        "#\(write.index) \(write.mediaType) " + written.keys.sorted().map { "\($0)=\(written[$0]!)" }.joined(separator: " ")
    }
}

extension Scenario {
    /// This namespace's entries of the emulator's request log, oldest first, each with its index in the whole log.
    func namespaceWrites() async throws -> [LoggedWrite] {
        let marker = "/namespaces/\(namespace)/"
        return try await environment.requestLog().enumerated().compactMap { i, item in
            let path = item["path"]?.stringValue ?? ""
            guard path.contains(marker) else { return nil }
            return LoggedWrite(index: i, verb: item["verb"]?.stringValue ?? "", method: item["method"]?.stringValue ?? "",
                               path: path, contentType: item["contentType"]?.stringValue ?? "",
                               userAgent: item["userAgent"]?.stringValue ?? "", body: item["body"])
        }
    }

    /// The path of a namespaced object of this scenario: `/apis/<groupVersion>/namespaces/<ns>/<plural>/<name>`.
    func objectPath(_ groupVersion: String, _ plural: String, _ name: String) -> String {
        let prefix = groupVersion == "v1" ? "/api/v1" : "/apis/\(groupVersion)"
        return "\(prefix)/namespaces/\(namespace)/\(plural)/\(name)"
    }

    /// The controller's PATCHes of one route object (not kubectl's), oldest first.
    static func controllerPatches(of path: String, in log: [LoggedWrite]) -> [LoggedWrite] {
        log.filter { $0.path == path && $0.method == "PATCH" && !$0.byKubectl }
    }

    /// Every `spec.replicas` written to Deployment `deployment` (create, update, patch, apply, scale), oldest first,
    /// each with its position in the log.
    static func replicaWrites(_ deployment: String, in log: [LoggedWrite]) -> [(index: Int, replicas: Int)] {
        var values: [(index: Int, replicas: Int)] = []
        for write in log where write.path.hasPrefix("/apis/apps/v1/") && write.path.contains("/deployments") {
            let isTarget = write.path.hasSuffix("/deployments/\(deployment)") || write.path.hasSuffix("/deployments/\(deployment)/scale")
                || (write.method == "POST" && write.body?.string("metadata.name") == deployment)
            guard isTarget, write.method != "DELETE" else { continue }
            if let replicas = write.body?.int("spec.replicas") {
                values.append((write.index, replicas))
            } else if let operations = write.body?.arrayValue {
                for op in operations where op["path"]?.stringValue == "/spec/replicas" {
                    if let replicas = op["value"]?.intValue { values.append((write.index, replicas)) }
                }
            }
        }
        return values
    }

    /// The distinct successive values of a list (1, 1, 3, 3, 5 → 1, 3, 5).
    static func changes(_ values: [Int]) -> [Int] {
        var out: [Int] = []
        for value in values where out.last != value { out.append(value) }
        return out
    }

    // MARK: Reading routes with kubectl

    func httpRoute(_ name: String) async throws -> JSONValue? {
        try await kubectl.getJSON(["httproutes.gateway.networking.k8s.io", name, "-n", namespace])
    }

    func virtualService(_ name: String) async throws -> JSONValue? {
        try await kubectl.getJSON(["virtualservices.networking.istio.io", name, "-n", namespace])
    }

    func ingress(_ name: String) async throws -> JSONValue? {
        try await kubectl.getJSON(["ingresses.networking.k8s.io", name, "-n", namespace])
    }

    /// Creates an object with `kubectl create -f -` and returns it as the server stored it (defaults applied).
    @discardableResult
    func create(_ object: JSONValue, get: (Scenario) async throws -> JSONValue?) async throws -> JSONValue {
        try await kubectl.ok(["create", "-f", "-"], stdin: object.jsonString)
        guard let stored = try await get(self) else { throw E2EError("\(object.string("metadata.name") ?? "?") not found after create") }
        return stored
    }

    /// Waits until the HTTPRoute's rule `rule` gives the stable and canary Services these weights.
    @discardableResult
    func waitForHTTPRouteWeights(_ name: String, stable: Int, canary: Int, rollout: String = "shop", rule: Int = 0,
                                 timeout: Duration = .seconds(30)) async throws -> JSONValue {
        let stableService = FledgeNames.stableService(rollout), canaryService = FledgeNames.canaryService(rollout)
        return try await waitFor("HTTPRoute \(name) rule \(rule) at \(stableService)=\(stable) \(canaryService)=\(canary)",
                                 timeout: timeout, describe: {
            (try? await self.httpRoute(name)).map { "\(Routes.httpRouteWeights($0, rule: rule))" } ?? "no HTTPRoute"
        }) {
            let none: JSONValue? = .none
            guard let route = try await self.httpRoute(name) else { return none }
            let w = Routes.httpRouteWeights(route, rule: rule)
            return w[stableService] == stable && w[canaryService] == canary ? .some(route) : none
        }
    }

    /// Warning Events about `object` with `reason`.
    func warningEvents(about object: String, reason: String) async throws -> [JSONValue] {
        try await warningEvents(about: object).filter { $0["reason"]?.stringValue == reason }
    }

    /// Waits for at least one Warning Event about `object` with `reason`.
    @discardableResult
    func waitForWarningEvent(about object: String, reason: String, timeout: Duration = .seconds(30)) async throws -> [JSONValue] {
        try await waitFor("a Warning Event \(reason) about \(object)", timeout: timeout, describe: {
            let events = (try? await self.warningEvents(about: object)) ?? []
            return "warning events: " + events.map { "\($0["reason"]?.stringValue ?? "?"): \($0["message"]?.stringValue ?? "")" }
                .joined(separator: "; ")
        }) {
            let events = try await self.warningEvents(about: object, reason: reason)
            return events.isEmpty ? nil : events
        }
    }
}

/// `ceil(weight × replicas)`, at least 1 while the weight is above 0: the canary's size for a share.
func canarySize(weight: Int, replicas: Int) -> Int {
    guard weight > 0 else { return 0 }
    return max(1, (weight * replicas + 99) / 100)
}
