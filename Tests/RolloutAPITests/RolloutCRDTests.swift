import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// Every field of `spec` in the CRD schema, as paths (`[]` for an array's items). A field added to the Swift types
/// fails `swiftTypesMatchTheList` until it is added here, and this list must equal the schema.
let specFieldPaths: Set<String> = [
    "replicas",
    "selector", "selector.matchLabels", "selector.matchExpressions",
    "selector.matchExpressions[].key", "selector.matchExpressions[].operator", "selector.matchExpressions[].values",
    "template", "version", "paused", "progressDeadlineSeconds",
    "workloadRef", "workloadRef.apiVersion", "workloadRef.kind", "workloadRef.name", "workloadRef.scaleDown",
    "strategy", "strategy.canary",
    "strategy.canary.steps", "strategy.canary.steps[].setWeight",
    "strategy.canary.steps[].pause", "strategy.canary.steps[].pause.duration",
    "strategy.canary.steps[].analysis", "strategy.canary.steps[].analysis.duration",
    "strategy.canary.analysis",
    "strategy.canary.analysis.prometheus",
    "strategy.canary.analysis.prometheus.address", "strategy.canary.analysis.prometheus.scrapeInterval",
    "strategy.canary.analysis.prometheus.lag", "strategy.canary.analysis.prometheus.joinTargetInfo",
    "strategy.canary.analysis.interval", "strategy.canary.analysis.warmup", "strategy.canary.analysis.alpha",
    "strategy.canary.analysis.perRoute",
    "strategy.canary.analysis.checks",
    "strategy.canary.analysis.checks[].name", "strategy.canary.analysis.checks[].query",
    "strategy.canary.analysis.checks[].min", "strategy.canary.analysis.checks[].max",
    "strategy.canary.analysis.checks[].compare", "strategy.canary.analysis.checks[].tolerance",
    "strategy.canary.analysis.checks[].failureLimit",
    "strategy.canary.analysis.onInconclusive", "strategy.canary.analysis.maxExtensions",
    "strategy.canary.analysis.service",
    "strategy.canary.analysis.missingData",
    "strategy.canary.analysis.missingData.holdAfter",
    "strategy.canary.analysis.missingData.rollbackAfter",
    "strategy.canary.analysis.margin", "strategy.canary.analysis.margin.errorRatio",
    "strategy.canary.analysis.margin.errorPoints", "strategy.canary.analysis.margin.latencyRatio",
    "strategy.canary.analysis.beta",
    "strategy.canary.trafficRouting",
    "strategy.canary.trafficRouting.gatewayAPI", "strategy.canary.trafficRouting.gatewayAPI.httpRoute",
    "strategy.canary.trafficRouting.gatewayAPI.httpRoute.name",
    "strategy.canary.trafficRouting.gatewayAPI.httpRoute.namespace",
    "strategy.canary.trafficRouting.istio", "strategy.canary.trafficRouting.istio.virtualService",
    "strategy.canary.trafficRouting.istio.virtualService.name",
    "strategy.canary.trafficRouting.istio.virtualService.routes",
    "strategy.canary.trafficRouting.nginx", "strategy.canary.trafficRouting.nginx.ingress",
]

/// Each Swift spec type (an instance, for its stored properties) and where it sits in `specFieldPaths`.
var specTypes: [(path: String, instance: Any)] { [
    ("", RolloutSpec()),
    ("selector", LabelSelector()),
    ("selector.matchExpressions[]", LabelSelector.Requirement(key: "", operator: "")),
    ("workloadRef", WorkloadRef()),
    ("strategy", RolloutStrategy()),
    ("strategy.canary", CanaryStrategy()),
    ("strategy.canary.steps[]", RolloutStep()),
    ("strategy.canary.steps[].pause", DurationStep()),
    ("strategy.canary.steps[].analysis", DurationStep()),
    ("strategy.canary.analysis", AnalysisSpec()),
    ("strategy.canary.analysis.prometheus", PrometheusSpec()),
    ("strategy.canary.analysis.missingData", MissingDataSpec()),
    ("strategy.canary.analysis.margin", MarginSpec()),
    ("strategy.canary.analysis.checks[]", QueryCheck(name: "", query: "")),
    ("strategy.canary.trafficRouting", TrafficRouting()),
    ("strategy.canary.trafficRouting.gatewayAPI", GatewayAPIRouting()),
    ("strategy.canary.trafficRouting.gatewayAPI.httpRoute", NamespacedName()),
    ("strategy.canary.trafficRouting.istio", IstioRouting()),
    ("strategy.canary.trafficRouting.istio.virtualService", VirtualServiceRef()),
    ("strategy.canary.trafficRouting.nginx", NginxRouting()),
] }

private func storedProperties(_ instance: Any) -> Set<String> {
    Set(Mirror(reflecting: instance).children.compactMap(\.label))
}

private func parent(_ path: String) -> String {
    guard let dot = path.lastIndex(of: ".") else { return "" }
    return String(path[..<dot])
}

private func lastComponent(_ path: String) -> String {
    guard let dot = path.lastIndex(of: ".") else { return path }
    return String(path[path.index(after: dot)...])
}

@Suite struct RolloutCRDTests {
    let crd: JSONValue
    let version: JSONValue
    let schema: JSONValue

    init() throws {
        crd = try jsonValue(yaml: try readPackageFile("crds/rollouts.fledge.dev.yaml"))
        version = try #require(crd[path: ["spec", "versions"]]?.arrayValue?.first)
        schema = try #require(version[path: ["schema", "openAPIV3Schema"]])
    }

    private var specSchema: JSONValue { schema[path: ["properties", "spec"]] ?? .null }
    private var statusSchema: JSONValue { schema[path: ["properties", "status"]] ?? .null }

    /// The schema node at a `specFieldPaths` path.
    private func specNode(_ path: String) -> JSONValue? {
        var node: JSONValue? = specSchema
        for component in path.split(separator: ".") {
            let isItems = component.hasSuffix("[]")
            node = node?[path: ["properties", String(isItems ? component.dropLast(2) : component)]]
            if isItems { node = node?["items"] }
        }
        return node
    }

    @Test func pinnedNames() throws {
        #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1")
        #expect(crd["kind"] == "CustomResourceDefinition")
        #expect(crd[path: ["metadata", "name"]] == "rollouts.fledge.dev")
        #expect(crd[path: ["spec", "group"]] == "fledge.dev")
        #expect(crd[path: ["spec", "scope"]] == "Namespaced")
        #expect(crd[path: ["spec", "names", "kind"]] == "Rollout")
        #expect(crd[path: ["spec", "names", "plural"]] == "rollouts")
        #expect(crd[path: ["spec", "names", "singular"]] == "rollout")
        #expect(crd[path: ["spec", "names", "shortNames"]] == ["fro"])
        #expect(crd[path: ["spec", "names", "categories"]] == ["all"])
        #expect(crd[path: ["spec", "versions"]]?.arrayValue?.count == 1)
        #expect(version["name"] == .string(Rollout.descriptor.version))
        #expect(version["served"] == true)
        #expect(version["storage"] == true)
        #expect(version[path: ["subresources", "status"]] == .object([:]))
        #expect(version[path: ["subresources", "scale"]] == ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                                              "labelSelectorPath": ".status.selector"])
        // The Swift descriptor agrees.
        #expect(crd[path: ["spec", "group"]] == .string(Rollout.descriptor.group))
        #expect(crd[path: ["spec", "names", "plural"]] == .string(Rollout.descriptor.plural))
        #expect(crd[path: ["spec", "names", "kind"]] == .string(Rollout.descriptor.kind))
    }

    @Test func printerColumnsInOrder() throws {
        let columns = try #require(version["additionalPrinterColumns"]?.arrayValue)
        let got = columns.map { [$0["name"]?.stringValue ?? "", $0["type"]?.stringValue ?? "", $0["jsonPath"]?.stringValue ?? ""] }
        #expect(got == [
            ["Phase", "string", ".status.phase"],
            ["Weight", "integer", ".status.canaryWeight"],
            ["Step", "integer", ".status.currentStepIndex"],
            ["Stable", "string", ".status.stableVersion"],
            ["Canary", "string", ".status.canaryVersion"],
            ["Age", "date", ".metadata.creationTimestamp"],
        ])
    }

    @Test func schemaHasExactlyTheListedSpecFields() {
        var found = Set<String>()
        func walk(_ node: JSONValue, _ prefix: String) {
            for (key, child) in node["properties"]?.objectValue ?? [:] {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                found.insert(path)
                walk(child, path)
                if let items = child["items"] { walk(items, "\(path)[]") }
            }
        }
        walk(specSchema, "")
        #expect(found.subtracting(specFieldPaths).sorted() == [], "in the schema, not in the list (nor in Swift)")
        #expect(specFieldPaths.subtracting(found).sorted() == [], "in the list (and Swift), not in the schema")
    }

    @Test(arguments: specTypes.map(\.path))
    func swiftTypesMatchTheList(path: String) throws {
        let instance = try #require(specTypes.first { $0.path == path }?.instance)
        let swift = storedProperties(instance)
        let listed = Set(specFieldPaths.filter { parent($0) == path }.map(lastComponent))
        #expect(swift.subtracting(listed).sorted() == [], "Swift fields at \(path.isEmpty ? "spec" : path) missing from the CRD")
        #expect(listed.subtracting(swift).sorted() == [], "CRD fields at \(path.isEmpty ? "spec" : path) Swift does not read")
    }

    @Test func aFullSpecEncodesOnlySchemaFields() throws {
        let spec = try #require(try rollout(yaml: RolloutDecodingTests.fullYAML).spec)
        var paths = Set<String>()
        func walk(_ value: JSONValue, _ prefix: String) {
            if prefix == "template" || prefix == "selector.matchLabels" { return }
            if let object = value.objectValue {
                for (key, child) in object {
                    let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                    paths.insert(path)
                    walk(child, path)
                }
            } else if let array = value.arrayValue {
                for item in array { walk(item, "\(prefix)[]") }
            }
        }
        walk(try JSONValue(encoding: spec), "")
        #expect(paths.count > 40)
        #expect(paths.subtracting(specFieldPaths).sorted() == [])
    }

    @Test func plainConstraintsAreInTheSchema() throws {
        #expect(specNode("replicas")?["type"] == "integer")
        #expect(specNode("replicas")?["minimum"] == .number(0))
        #expect(specNode("progressDeadlineSeconds")?["minimum"] == .number(1))
        #expect(specNode("paused")?["type"] == "boolean")
        #expect(specNode("version")?["type"] == "string")
        #expect(specNode("template")?["type"] == "object")
        #expect(specNode("template")?["x-kubernetes-preserve-unknown-fields"] == true)
        #expect(specNode("selector.matchLabels")?[path: ["additionalProperties", "type"]] == "string")
        #expect(specNode("strategy.canary.steps[].setWeight")?["type"] == "integer")
        #expect(specNode("strategy.canary.steps[].setWeight")?["minimum"] == .number(0))
        #expect(specNode("strategy.canary.steps[].setWeight")?["maximum"] == .number(100))
        #expect(specNode("strategy.canary.steps[].pause.duration")?["type"] == "string")
        #expect(specNode("strategy.canary.analysis.alpha")?["type"] == "number")
        #expect(specNode("strategy.canary.analysis.alpha")?["maximum"] == .number(RolloutResolver.maxAlpha))
        #expect(specNode("strategy.canary.analysis.perRoute")?["type"] == "boolean")
        #expect(specNode("strategy.canary.analysis.maxExtensions")?["minimum"] == .number(0))
        #expect(specNode("strategy.canary.analysis.onInconclusive")?["enum"]
                == .array(InconclusivePolicy.allCases.map { .string($0.rawValue) }))
        #expect(specNode("strategy.canary.analysis.checks[]")?["required"] == ["name", "query"])
        #expect(specNode("strategy.canary.analysis.checks[].compare")?["enum"] == ["lowerIsWorse", "higherIsWorse"])
        #expect(specNode("selector.matchExpressions[]")?["required"] == ["key", "operator"])
        #expect(specNode("selector.matchExpressions[].operator")?["enum"] == ["In", "NotIn", "Exists", "DoesNotExist"])
    }

    @Test func schemaIsStructural() {
        // Every node names its type; no node mixes properties with additionalProperties.
        var problems: [String] = []
        func walk(_ node: JSONValue, _ path: String) {
            if node["type"]?.stringValue == nil { problems.append("\(path): no type") }
            if node["properties"] != nil && node["additionalProperties"] != nil { problems.append("\(path): both properties kinds") }
            for (key, child) in node["properties"]?.objectValue ?? [:] { walk(child, "\(path).\(key)") }
            if let items = node["items"] { walk(items, "\(path)[]") }
            if let additional = node["additionalProperties"], additional.objectValue != nil { walk(additional, "\(path).*") }
        }
        walk(schema, "")
        #expect(problems == [])
    }

    @Test func statusSchemaTypesEveryDocumentedField() throws {
        #expect(statusSchema["type"] == "object")
        #expect(statusSchema["x-kubernetes-preserve-unknown-fields"] == true)
        let properties = try #require(statusSchema["properties"]?.objectValue)
        #expect(Set(properties.keys) == storedProperties(RolloutStatus()))
        #expect(properties["phase"]?["enum"] == .array(RolloutPhase.allCases.map { .string($0.rawValue) }))
        #expect(properties["canaryWeight"]?["type"] == "integer")
        #expect(properties["currentStepIndex"]?["type"] == "integer")
        #expect(properties["observedGeneration"]?["type"] == "integer")
        #expect(properties["actualCanaryWeight"]?["type"] == "number")
        for key in ["lastAnalysis", "lastAction", "canary"] {
            #expect(properties[key]?["type"] == "object")
            #expect(properties[key]?["x-kubernetes-preserve-unknown-fields"] == true)
        }
        let condition = try #require(properties["conditions"]?["items"])
        let conditionFields = Set(condition["properties"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(conditionFields == storedProperties(Condition(type: "", status: "")))
        #expect(condition["required"] == ["type", "status"])
        #expect(properties["conditions"]?["x-kubernetes-list-map-keys"] == ["type"])
    }

    @Test func kustomizationListsTheCRD() throws {
        let k = try jsonValue(yaml: try readPackageFile("crds/kustomization.yaml"))
        #expect(k["kind"] == "Kustomization")
        #expect(k["resources"] == ["rollouts.fledge.dev.yaml"])
    }
}
