import KubeJSON
import RolloutAPI

/// The pod template of one track: the user's template with Fledge's labels and telemetry attributes added, so an
/// app instrumented with any OpenTelemetry SDK reports `service.version` and `deployment.track` with no code change.
///
/// - Labels `fledge.dev/rollout`, `fledge.dev/track` and `app.kubernetes.io/version` on the pods.
/// - On every container (and init container), `OTEL_RESOURCE_ATTRIBUTES` gets `service.version` and
///   `deployment.track` merged into what the template sets: other attributes are kept as written, values are
///   percent-encoded. When the user's variable comes from `valueFrom` (a ConfigMap, a field), it is renamed
///   `FLEDGE_USER_OTEL_RESOURCE_ATTRIBUTES` and referenced as `$(FLEDGE_USER_OTEL_RESOURCE_ATTRIBUTES)` so
///   Kubernetes expands it in front of ours.
public enum TemplateDecorator {
    public static let userAttributesVariable = "FLEDGE_USER_OTEL_RESOURCE_ATTRIBUTES"
    public static let attributesVariable = "OTEL_RESOURCE_ATTRIBUTES"

    public static func decorate(_ template: JSONValue, rollout: String, track: Track, version: String) -> JSONValue {
        var t = template
        var labels = t[path: ["metadata", "labels"]]?.objectValue ?? [:]
        labels[FledgeNames.rolloutLabel] = .string(rollout)
        labels[FledgeNames.trackLabel] = .string(track.rawValue)
        labels[FledgeNames.versionLabel] = .string(version)
        var metadata = t["metadata"]?.objectValue ?? [:]
        metadata["labels"] = .object(labels)
        t["metadata"] = .object(metadata)
        let attributes = [("service.version", version), ("deployment.track", track.rawValue)]
        var spec = t["spec"]?.objectValue ?? [:]
        for list in ["containers", "initContainers"] {
            guard let containers = spec[list]?.arrayValue else { continue }
            spec[list] = .array(containers.map { withAttributes($0, attributes) })
        }
        t["spec"] = .object(spec)
        return t
    }

    static func withAttributes(_ container: JSONValue, _ attributes: [(String, String)]) -> JSONValue {
        var c = container
        var env = c["env"]?.arrayValue ?? []
        if let i = env.firstIndex(where: { $0["name"]?.stringValue == attributesVariable }) {
            let existing = env[i]
            if let value = existing["value"]?.stringValue {
                env[i] = ["name": .string(attributesVariable), "value": .string(ResourceAttributes.merge(user: value, setting: attributes))]
            } else if existing["valueFrom"] != nil {
                var renamed = existing
                renamed["name"] = .string(userAttributesVariable)
                env[i] = renamed
                let ours = ResourceAttributes.merge(user: "", setting: attributes)
                env.insert(["name": .string(attributesVariable), "value": .string("$(\(userAttributesVariable)),\(ours)")], at: i + 1)
            } else {
                env[i] = ["name": .string(attributesVariable), "value": .string(ResourceAttributes.merge(user: "", setting: attributes))]
            }
        } else {
            env.append(["name": .string(attributesVariable), "value": .string(ResourceAttributes.merge(user: "", setting: attributes))])
        }
        c["env"] = .array(env)
        return c
    }
}
