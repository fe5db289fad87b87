import Foundation
import KubeJSON
import Testing

/// Malformed Rollouts: the CRD schema rejects some at apply time (kubectl prints the field); the rest are accepted
/// by the API server and reported by the controller in the InvalidSpec condition, naming the field, with a Warning
/// Event — and the controller stays up.
@Suite("E2E: invalid specs")
struct InvalidSpecTests {
    /// One malformed Rollout: what is changed from a valid one, and the field the report must name.
    struct Case: Sendable {
        let name: String
        let field: String
        let mutate: @Sendable (inout JSONValue) -> Void
        init(_ name: String, _ field: String, _ mutate: @escaping @Sendable (inout JSONValue) -> Void) {
            self.name = name
            self.field = field
            self.mutate = mutate
        }
    }

    static let canary = ["spec", "strategy", "canary"]
    static let analysis = canary + ["analysis"]
    static let container = ["spec", "template", "spec", "containers"]

    static func setSteps(_ steps: [JSONValue]) -> @Sendable (inout JSONValue) -> Void {
        { $0[path: canary + ["steps"]] = .array(steps) }
    }

    static func setContainer(_ key: String, _ value: JSONValue?) -> @Sendable (inout JSONValue) -> Void {
        { r in
            var first = r[path: container]?.arrayValue?.first ?? [:]
            first[key] = value
            r[path: container] = [first]
        }
    }

    /// Accepted by the schema, refused by RolloutResolver: each breaks one rule.
    static let resolverCases: [Case] = [
        Case("too-many-replicas", "spec.replicas") { $0[path: ["spec", "replicas"]] = 20000 },
        Case("no-selector", "spec.selector") { $0[path: ["spec", "selector"]] = nil },
        Case("empty-selector", "spec.selector") { $0[path: ["spec", "selector"]] = [:] },
        Case("selector-on-track", "spec.selector.matchLabels.fledge.dev/track") { r in
            r[path: ["spec", "selector", "matchLabels", "fledge.dev/track"]] = "stable"
            r[path: ["spec", "template", "metadata", "labels", "fledge.dev/track"]] = "stable"
        },
        Case("selector-mismatch", "spec.template.metadata.labels") { $0[path: ["spec", "selector", "matchLabels", "app"]] = "other" },
        Case("expression-mismatch", "spec.selector.matchExpressions[0]") {
            $0[path: ["spec", "selector", "matchExpressions"]] = [["key": "tier", "operator": "In", "values": ["web"]]]
        },
        Case("no-template", "spec.template") { $0[path: ["spec", "template"]] = nil },
        Case("no-containers", "spec.template.spec.containers") { $0[path: container] = [] },
        Case("container-without-name", "spec.template.spec.containers[0].name", setContainer("name", nil)),
        Case("container-without-image", "spec.template.spec.containers[0].image", setContainer("image", nil)),
        Case("bad-version", "spec.version") { $0[path: ["spec", "version"]] = "not/a version" },
        Case("no-steps", "spec.strategy.canary.steps", setSteps([])),
        Case("step-with-two-kinds", "spec.strategy.canary.steps[0]", setSteps([["setWeight": 10, "pause": [:]], .weight(100)])),
        Case("empty-step", "spec.strategy.canary.steps[1]", setSteps([.weight(10), [:], .weight(100)])),
        Case("analysis-before-weight", "spec.strategy.canary.steps[0].analysis", setSteps([.analysis("6s"), .weight(100)])),
        Case("bad-pause-duration", "spec.strategy.canary.steps[1].pause.duration",
             setSteps([.weight(10), .pause("ten minutes"), .weight(100)])),
        Case("zero-analysis-duration", "spec.strategy.canary.steps[1].analysis.duration",
             setSteps([.weight(10), .analysis("0s"), .weight(100)])),
        Case("bad-interval", "spec.strategy.canary.analysis.interval") { $0[path: analysis + ["interval"]] = "soon" },
        Case("sub-second-interval", "spec.strategy.canary.analysis.interval") { $0[path: analysis + ["interval"]] = "500ms" },
        Case("bad-warmup", "spec.strategy.canary.analysis.warmup") { $0[path: analysis + ["warmup"]] = "a while" },
        Case("bad-scrape-interval", "spec.strategy.canary.analysis.prometheus.scrapeInterval") {
            $0[path: analysis + ["prometheus", "scrapeInterval"]] = "fast"
        },
        Case("bad-lag", "spec.strategy.canary.analysis.prometheus.lag") { $0[path: analysis + ["prometheus", "lag"]] = "later" },
        Case("bad-address", "spec.strategy.canary.analysis.prometheus.address") {
            $0[path: analysis + ["prometheus", "address"]] = "prometheus without a scheme"
        },
        Case("empty-service", "spec.strategy.canary.analysis.service") { $0[path: analysis + ["service"]] = "" },
        Case("duplicate-check-names", "spec.strategy.canary.analysis.checks[1].name") {
            $0[path: analysis + ["checks"]] = [["name": "orders", "query": "vector(1)", "min": 0],
                                              ["name": "orders", "query": "vector(2)", "min": 0]]
        },
        Case("check-without-bounds", "spec.strategy.canary.analysis.checks[0]") {
            $0[path: analysis + ["checks"]] = [["name": "orders", "query": "vector(1)"]]
        },
        Case("check-min-above-max", "spec.strategy.canary.analysis.checks[0]") {
            $0[path: analysis + ["checks"]] = [["name": "orders", "query": "vector(1)", "min": 5, "max": 1]]
        },
        Case("istio-without-name", "spec.strategy.canary.trafficRouting.istio.virtualService.name") {
            $0[path: canary + ["trafficRouting"]] = ["istio": ["virtualService": ["routes": ["primary"]]]]
        },
        Case("nginx-without-ingress", "spec.strategy.canary.trafficRouting.nginx.ingress") {
            $0[path: canary + ["trafficRouting"]] = ["nginx": [:]]
        },
        Case("gateway-without-route-name", "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute.name") {
            $0[path: canary + ["trafficRouting"]] = ["gatewayAPI": ["httpRoute": [:]]]
        },
        Case("two-routers", "spec.strategy.canary.trafficRouting") {
            $0[path: canary + ["trafficRouting"]] = ["nginx": ["ingress": "shop"], "istio": ["virtualService": ["name": "shop"]]]
        },
    ]

    /// Refused by the CRD's schema: `kubectl apply` fails and names the field.
    static let schemaCases: [Case] = [
        Case("negative-replicas", "spec.replicas") { $0[path: ["spec", "replicas"]] = -1 },
        Case("replicas-as-text", "spec.replicas") { $0[path: ["spec", "replicas"]] = "ten" },
        Case("weight-above-100", "spec.strategy.canary.steps[0].setWeight", setSteps([.weight(150)])),
        Case("unknown-policy", "spec.strategy.canary.analysis.onInconclusive") { $0[path: analysis + ["onInconclusive"]] = "maybe" },
        Case("alpha-too-high", "spec.strategy.canary.analysis.alpha") { $0[path: analysis + ["alpha"]] = .number(0.9) },
        Case("zero-deadline", "spec.progressDeadlineSeconds") { $0[path: ["spec", "progressDeadlineSeconds"]] = 0 },
        Case("unknown-operator", "spec.selector.matchExpressions[0].operator") {
            $0[path: ["spec", "selector", "matchExpressions"]] = [["key": "app", "operator": "Equals", "values": ["x"]]]
        },
        Case("typo-in-field-name", "spec.replica") { $0[path: ["spec", "replica"]] = 3 },
    ]

    @Test("malformed Rollouts get InvalidSpec naming the field and a Warning Event; the controller stays up")
    func invalidSpecs() async throws {
        #expect(Self.resolverCases.count >= 20)
        try await Scenario.run("invalid") { s in
            let controller = try #require(s.controller)
            func manifest(_ c: Case) -> JSONValue {
                var m = s.manifest(c.name, version: "1.0.0")
                m.steps = [.weight(10), .analysis("6s"), .weight(100)]
                var json = m.json
                c.mutate(&json)
                return json
            }

            // Rejected at the door, with the field in kubectl's error.
            for c in Self.schemaCases {
                let result = try await s.kubectl.run(["apply", "-f", "-"], stdin: manifest(c).jsonString)
                #expect(!result.succeeded, "\(c.name): the schema should refuse it; kubectl said: \(result.stdout)")
                #expect(result.stderr.contains(c.field), "\(c.name): kubectl's error should name \(c.field): \(result.stderr)")
            }

            // Accepted by the API server, all at once, then judged by the controller.
            // One YAML stream of JSON documents (the emulator's OpenAPI has no v1 List for kubectl to validate).
            try await s.kubectl.apply(Self.resolverCases.map { manifest($0).jsonString }.joined(separator: "\n---\n"))

            let names = Self.resolverCases.map(\.name)
            let rollouts = try await waitFor("InvalidSpec on all \(names.count) Rollouts", timeout: .seconds(90), describe: {
                let items = (try? await s.kubectl.getJSON(["rollouts", "-n", s.namespace]))?["items"]?.arrayValue ?? []
                let missing = items.filter { Scenario.condition($0, "InvalidSpec")?["status"]?.stringValue != "True" }
                return "without InvalidSpec=True: " + missing.map { "\($0.string("metadata.name") ?? "?") [\(Scenario.summary($0) ?? "")]" }.joined(separator: "; ")
            }) {
                let items = try await s.kubectl.getJSON(["rollouts", "-n", s.namespace])?["items"]?.arrayValue ?? []
                let byName = Dictionary(items.map { ($0.string("metadata.name") ?? "", $0) }, uniquingKeysWith: { $1 })
                let done = names.allSatisfy { Scenario.condition(byName[$0] ?? [:], "InvalidSpec")?["status"]?.stringValue == "True" }
                return done ? byName : nil
            }
            for c in Self.resolverCases {
                let condition = Scenario.condition(rollouts[c.name] ?? [:], "InvalidSpec")
                let message = condition?["message"]?.stringValue ?? ""
                #expect(message.contains(c.field), "\(c.name): InvalidSpec should name \(c.field): \(message)")
            }

            let events = try await waitFor("a Warning Event for every invalid Rollout", timeout: .seconds(30), describe: {
                let items = (try? await s.kubectl.getJSON(["events", "-n", s.namespace, "--field-selector", "type=Warning"]))?["items"]?.arrayValue ?? []
                let about = Set(items.compactMap { $0.string("involvedObject.name") })
                return "no Warning Event about: \(names.filter { !about.contains($0) })"
            }) {
                let items = try await s.kubectl.getJSON(["events", "-n", s.namespace, "--field-selector", "type=Warning"])?["items"]?.arrayValue ?? []
                let about = Set(items.compactMap { $0.string("involvedObject.name") })
                return names.allSatisfy(about.contains) ? items : nil
            }
            for c in Self.resolverCases {
                let mine = events.filter { $0.string("involvedObject.name") == c.name }
                #expect(mine.contains { ($0["message"]?.stringValue ?? "").contains(c.field) },
                        "\(c.name): a Warning Event should name \(c.field): \(mine.map { $0["message"]?.stringValue ?? "" })")
            }
            // Nothing was deployed for an invalid spec.
            let deployments = try await s.kubectl.getJSON(["deployments", "-n", s.namespace])?["items"]?.arrayValue ?? []
            #expect(deployments.isEmpty, "deployments created for invalid Rollouts: \(deployments.compactMap { $0.string("metadata.name") })")

            // The controller is up and still working: /healthz answers, a fixed Rollout goes Healthy.
            #expect(controller.isRunning)
            #expect(await HTTP.answers200("\(controller.endpoint)/healthz"))
            var fixed = s.manifest("no-containers", version: "1.0.0")
            fixed.steps = [.weight(10), .analysis("6s"), .weight(100)]
            try await s.kubectl.apply(fixed.text)
            let healthy = try await s.waitForHealthy("no-containers", stableVersion: "1.0.0")
            #expect(Scenario.condition(healthy, "InvalidSpec")?["status"]?.stringValue != "True")
        }
    }
}
