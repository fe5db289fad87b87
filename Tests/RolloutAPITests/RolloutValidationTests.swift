import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// One malformed Rollout and the fields the resolver must name, in order.
struct MalformedRollout: Sendable, CustomTestStringConvertible {
    var name: String
    var fields: [String]
    var defaults = RolloutDefaults()
    var make: @Sendable () throws -> Rollout

    init(_ name: String, _ fields: [String], defaults: RolloutDefaults = RolloutDefaults(),
         _ change: @escaping @Sendable (inout RolloutSpec) -> Void) {
        self.name = name
        self.fields = fields
        self.defaults = defaults
        self.make = { validRollout(change) }
    }

    init(_ name: String, _ fields: [String], make: @escaping @Sendable () throws -> Rollout) {
        self.name = name
        self.fields = fields
        self.make = make
    }

    var testDescription: String { name }
}

private let a = "spec.strategy.canary.analysis"
private let steps = "spec.strategy.canary.steps"
private let routing = "spec.strategy.canary.trafficRouting"

let malformedRollouts: [MalformedRollout] = [
    .init("replicas -1", ["spec.replicas"]) { $0.replicas = -1 },
    .init("replicas above 10000", ["spec.replicas"]) { $0.replicas = 10_001 },
    .init("no selector", ["spec.selector"]) { $0.selector = nil },
    .init("empty selector", ["spec.selector"]) { $0.selector = LabelSelector() },
    .init("selector does not match the template's labels", ["spec.template.metadata.labels"]) {
        $0.selector = LabelSelector(matchLabels: ["app": "web"])
    },
    .init("matchExpressions do not match the template's labels", ["spec.selector.matchExpressions[1]"]) {
        $0.selector?.matchExpressions = [.init(key: "app", operator: "Exists"),
                                         .init(key: "tier", operator: "In", values: ["frontend"])]
    },
    .init("matchExpressions with an unknown operator", ["spec.selector.matchExpressions[0]"]) {
        $0.selector?.matchExpressions = [.init(key: "app", operator: "Equals", values: ["shop"])]
    },
    .init("selector on fledge.dev/track", ["spec.selector.matchLabels.fledge.dev/track"]) {
        $0.selector?.matchLabels?["fledge.dev/track"] = "stable"
        $0.template = podTemplate(labels: ["app": "shop", "fledge.dev/track": "stable"])
    },
    .init("selector expression on fledge.dev/rollout", ["spec.selector.matchExpressions[0].key"]) {
        $0.selector?.matchExpressions = [.init(key: "fledge.dev/rollout", operator: "DoesNotExist")]
    },
    .init("no template", ["spec.template"]) { $0.template = nil },
    .init("template not an object", ["spec.template"]) { $0.template = "pod" },
    .init("empty containers", ["spec.template.spec.containers"]) {
        $0.template?[path: ["spec", "containers"]] = []
    },
    .init("no containers", ["spec.template.spec.containers"]) {
        $0.template?[path: ["spec"]] = .object([:])
    },
    .init("container without image", ["spec.template.spec.containers[0].image"]) {
        $0.template?[path: ["spec", "containers"]] = [["name": "shop"]]
    },
    .init("second container without a name", ["spec.template.spec.containers[1].name"]) {
        $0.template?[path: ["spec", "containers"]] = [["name": "shop", "image": "shop:1"], ["image": "proxy:2"]]
    },
    .init("invalid explicit version", ["spec.version"]) { $0.version = "1.0 beta" },
    .init("empty explicit version", ["spec.version"]) { $0.version = "" },
    .init("progressDeadlineSeconds 0", ["spec.progressDeadlineSeconds"]) { $0.progressDeadlineSeconds = 0 },
    .init("empty steps", [steps]) { $0.canary.steps = [] },
    .init("step with two kinds", ["\(steps)[1]"]) {
        $0.canary.steps = [.weight(10), RolloutStep(setWeight: 20, pause: DurationStep()), .weight(100)]
    },
    .init("step with none", ["\(steps)[0]"]) { $0.canary.steps = [RolloutStep(), .weight(100)] },
    .init("setWeight 101", ["\(steps)[0].setWeight"]) { $0.canary.steps = [.weight(101)] },
    .init("setWeight -1", ["\(steps)[1].setWeight"]) { $0.canary.steps = [.weight(10), .weight(-1)] },
    .init("analysis before any weight", ["\(steps)[0].analysis"]) { $0.canary.steps = [.analysis("5m"), .weight(100)] },
    .init("analysis after weight 0", ["\(steps)[2].analysis"]) {
        $0.canary.steps = [.weight(10), .weight(0), .analysis(), .weight(100)]
    },
    .init("bad pause duration \"10 minutes\"", ["\(steps)[1].pause.duration"]) {
        $0.canary.steps = [.weight(10), .pause("10 minutes"), .weight(100)]
    },
    .init("zero pause duration", ["\(steps)[1].pause.duration"]) {
        $0.canary.steps = [.weight(10), .pause("0s"), .weight(100)]
    },
    .init("bad analysis duration", ["\(steps)[1].analysis.duration"]) {
        $0.canary.steps = [.weight(10), .analysis("1.5h"), .weight(100)]
    },
    .init("interval 0s", ["\(a).interval"]) { $0.analysis.interval = "0s" },
    .init("interval below a second", ["\(a).interval"]) { $0.analysis.interval = "500ms" },
    .init("bad warmup", ["\(a).warmup"]) { $0.analysis.warmup = "soon" },
    .init("bad scrapeInterval", ["\(a).prometheus.scrapeInterval"]) { $0.analysis.prometheus?.scrapeInterval = "0s" },
    .init("bad lag", ["\(a).prometheus.lag"]) { $0.analysis.prometheus?.lag = "-5s" },
    .init("alpha 0", ["\(a).alpha"]) { $0.analysis.alpha = 0 },
    .init("alpha 0.7", ["\(a).alpha"]) { $0.analysis.alpha = 0.7 },
    .init("alpha 1", ["\(a).alpha"]) { $0.analysis.alpha = 1 },
    .init("onInconclusive maybe", ["\(a).onInconclusive"]) { $0.analysis.onInconclusive = "maybe" },
    .init("maxExtensions -1", ["\(a).maxExtensions"]) { $0.analysis.maxExtensions = -1 },
    .init("prometheus address without scheme", ["\(a).prometheus.address"]) {
        $0.analysis.prometheus?.address = "prometheus.monitoring:9090"
    },
    .init("prometheus address not http", ["\(a).prometheus.address"]) {
        $0.analysis.prometheus?.address = "ftp://prometheus.monitoring"
    },
    .init("no prometheus address with analysis steps and no controller default", ["\(a).prometheus.address"]) {
        $0.analysis.prometheus = nil
    },
    .init("duplicate check names", ["\(a).checks[2].name"]) {
        $0.analysis.checks = [QueryCheck(name: "orders", query: "sum(orders)", min: 1),
                              QueryCheck(name: "queue", query: "max(queue)", max: 10),
                              QueryCheck(name: "orders", query: "sum(orders2)", compare: .lowerIsWorse)]
    },
    .init("check with neither bounds nor compare", ["\(a).checks[0]"]) {
        $0.analysis.checks = [QueryCheck(name: "orders", query: "sum(orders)")]
    },
    .init("check with tolerance but no compare", ["\(a).checks[0]"]) {
        $0.analysis.checks = [QueryCheck(name: "orders", query: "sum(orders)", min: 1, tolerance: 0.1)]
    },
    .init("empty service", ["\(a).service"]) { $0.analysis.service = "" },
    .init("istio without a virtualService name", ["\(routing).istio.virtualService.name"]) {
        $0.canary.trafficRouting = TrafficRouting(istio: IstioRouting(virtualService: VirtualServiceRef(routes: ["primary"])))
    },
    .init("istio with an empty route name (and no port)", ["\(routing).istio.virtualService.routes[1]", "spec.template.spec.containers[].ports"]) {
        $0.canary.trafficRouting = TrafficRouting(istio: IstioRouting(virtualService: VirtualServiceRef(name: "shop", routes: ["primary", ""])))
    },
    .init("nginx without an ingress", ["\(routing).nginx.ingress"]) {
        $0.canary.trafficRouting = TrafficRouting(nginx: NginxRouting())
    },
    .init("two routers", [routing]) {
        $0.canary.trafficRouting = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "shop")),
                                                  nginx: NginxRouting(ingress: "shop"))
    },
    .init("trafficRouting naming no router", [routing]) {
        $0.canary.trafficRouting = TrafficRouting()
    },
    .init("gatewayAPI without name", ["\(routing).gatewayAPI.httpRoute.name"]) {
        $0.canary.trafficRouting = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "")))
    },
    .init("a router without a container port", ["spec.template.spec.containers[].ports"]) {
        $0.canary.trafficRouting = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "shop")))
        $0.template = podTemplate()
    },
    .init("wrong-typed spec from JSON", ["spec.replicas"]) {
        try rollout(json: #"{"metadata": {"name": "shop"}, "spec": {"replicas": "three", "selector": {"matchLabels": {"app": "shop"}}}}"#)
    },
    .init("wrong-typed step from JSON", ["\(steps)[0].pause"]) {
        try rollout(json: #"{"metadata": {"name": "shop"}, "spec": {"strategy": {"canary": {"steps": [{"pause": "10m"}]}}}}"#)
    },
    .init("no spec", ["spec"]) { Rollout(metadata: ObjectMeta(name: "shop")) },
]

@Suite struct RolloutValidationTests {
    @Test func theBaseRolloutIsValid() throws {
        #expect(errorFields(validRollout()) == [])
    }

    @Test(arguments: malformedRollouts)
    func malformedRolloutNamesTheField(_ c: MalformedRollout) throws {
        let r = try c.make()
        let result = RolloutResolver.resolve(r, defaults: c.defaults)
        guard case .failure(let invalid) = result else {
            Issue.record("\(c.name): resolved, expected errors at \(c.fields)")
            return
        }
        #expect(invalid.errors.map(\.field) == c.fields, "\(invalid)")
        for e in invalid.errors {
            #expect(!e.message.isEmpty)
            #expect(invalid.description.contains("\(e.field): \(e.message)"))
        }
    }

    @Test func atLeastTwentyFiveMalformedCases() {
        #expect(malformedRollouts.count >= 25)
        #expect(Set(malformedRollouts.map(\.name)).count == malformedRollouts.count)
    }

    @Test func everyProblemIsReportedTogether() throws {
        let r = validRollout {
            $0.replicas = -1
            $0.progressDeadlineSeconds = 0
            $0.canary.steps = [.weight(150), .pause("10 minutes"), RolloutStep()]
            $0.analysis.onInconclusive = "maybe"
            $0.analysis.alpha = 0
            $0.canary.trafficRouting = TrafficRouting(istio: IstioRouting())
        }
        #expect(errorFields(r) == [
            "spec.replicas", "spec.progressDeadlineSeconds",
            "\(steps)[0].setWeight", "\(steps)[1].pause.duration", "\(steps)[2]",
            "\(a).onInconclusive", "\(a).alpha", "\(routing).istio.virtualService.name",
        ])
    }

    @Test func messagesSayWhatIsWrong() throws {
        let r = validRollout {
            $0.canary.steps = [.weight(101), .pause("10 minutes")]
            $0.analysis.onInconclusive = "maybe"
        }
        guard case .failure(let invalid) = RolloutResolver.resolve(r) else {
            Issue.record("expected errors")
            return
        }
        let messages = Dictionary(uniqueKeysWithValues: invalid.errors.map { ($0.field, $0.message) })
        #expect(messages["\(steps)[0].setWeight"]?.contains("101") == true)
        #expect(messages["\(steps)[1].pause.duration"]?.contains("\"10 minutes\"") == true)
        #expect(messages["\(a).onInconclusive"]?.contains("pause, extend, rollback, promote") == true)
    }

    @Test func aControllerDefaultAddressMustAlsoBeAURL() throws {
        let r = validRollout { $0.analysis.prometheus = nil }
        #expect(errorFields(r, defaults: RolloutDefaults(prometheusAddress: "not a url")) == ["\(a).prometheus.address"])
        #expect(errorFields(r, defaults: RolloutDefaults(prometheusAddress: "https://prom:9090")) == [])
    }

    @Test func duplicateCheckNamesAreReportedOnce() throws {
        let r = validRollout {
            $0.analysis.checks = [QueryCheck(name: "x", query: "q", min: 0), QueryCheck(name: "x", query: "q", min: 0)]
        }
        guard case .failure(let invalid) = RolloutResolver.resolve(r) else {
            Issue.record("expected errors")
            return
        }
        #expect(invalid.errors == [FieldError("\(a).checks[1].name", "duplicate name \"x\"")])
    }
}
