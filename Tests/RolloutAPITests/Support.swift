import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Yams

/// The package root, found from this file (Tests/RolloutAPITests/Support.swift), whatever the working directory.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // RolloutAPITests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

struct YAMLFixtureError: Error, CustomStringConvertible {
    var description: String
}

/// YAML as the JSON the API server would send: Yams' values turned into a ``JSONValue``.
func jsonValue(yaml: String) throws -> JSONValue {
    guard let loaded = try Yams.load(yaml: yaml) else { throw YAMLFixtureError(description: "empty YAML") }
    return try jsonValue(any: loaded)
}

func jsonValue(any value: Any) throws -> JSONValue {
    switch value {
    case is NSNull: return .null
    case let b as Bool: return .bool(b)
    case let i as Int: return .number(Double(i))
    case let d as Double: return .number(d)
    case let s as String: return .string(s)
    case let date as Date: return .string(date.formatted(.iso8601))
    case let a as [Any]: return .array(try a.map(jsonValue(any:)))
    case let o as [String: Any]: return .object(try o.mapValues(jsonValue(any:)))
    default: throw YAMLFixtureError(description: "unexpected YAML value \(value) of type \(type(of: value))")
    }
}

/// Decodes a Rollout from YAML through JSON, the path objects from the API server take.
func rollout(yaml: String) throws -> Rollout {
    try jsonValue(yaml: yaml).decode(as: Rollout.self)
}

/// Decodes a Rollout from JSON text.
func rollout(json: String) throws -> Rollout {
    try JSONValue(parsing: json).decode(as: Rollout.self)
}

/// A pod template with one container.
func podTemplate(labels: [String: String] = ["app": "shop"], image: String = "ghcr.io/fledge-dev/shop:1.0.0") -> JSONValue {
    .object([
        "metadata": .object(["labels": .object(labels.mapValues { .string($0) })]),
        "spec": ["containers": [["name": "shop", "image": .string(image)]]],
    ])
}

/// A valid Rollout with every default left out except the Prometheus address.
func validRollout(_ change: (inout RolloutSpec) -> Void = { _ in }) -> Rollout {
    var spec = RolloutSpec(
        replicas: 4,
        selector: LabelSelector(matchLabels: ["app": "shop"]),
        template: podTemplate(),
        strategy: RolloutStrategy(canary: CanaryStrategy(
            analysis: AnalysisSpec(prometheus: PrometheusSpec(address: "http://prometheus.monitoring:9090")))))
    change(&spec)
    return Rollout(metadata: ObjectMeta(name: "shop", namespace: "default"), spec: spec)
}

/// `spec.strategy.canary`, created when missing.
extension RolloutSpec {
    var canary: CanaryStrategy {
        get { strategy?.canary ?? CanaryStrategy() }
        set { strategy = RolloutStrategy(canary: newValue) }
    }

    var analysis: AnalysisSpec {
        get { canary.analysis ?? AnalysisSpec() }
        set { canary.analysis = newValue }
    }
}

/// The resolved Rollout, or the errors as a test failure message.
func resolved(_ r: Rollout, defaults: RolloutDefaults = RolloutDefaults()) throws -> EffectiveRollout {
    try RolloutResolver.resolve(r, defaults: defaults).get()
}

/// The fields the resolver names, in order (empty when the Rollout is valid).
func errorFields(_ r: Rollout, defaults: RolloutDefaults = RolloutDefaults()) -> [String] {
    switch RolloutResolver.resolve(r, defaults: defaults) {
    case .success: []
    case .failure(let invalid): invalid.errors.map(\.field)
    }
}

func readPackageFile(_ relativePath: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent(relativePath), encoding: .utf8)
}
