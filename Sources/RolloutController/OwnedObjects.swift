import Kube
import KubeJSON
import RolloutAPI

/// The objects a Rollout owns, as JSON bodies for server-side apply and create.
enum OwnedObjects {
    static func ownerReference(_ rollout: Rollout) -> JSONValue {
        ["apiVersion": .string(Rollout.descriptor.apiVersion), "kind": "Rollout",
         "name": .string(rollout.metadata.name ?? ""), "uid": .string(rollout.metadata.uid ?? ""),
         "controller": true, "blockOwnerDeletion": true]
    }

    /// The user's `matchLabels` plus the rollout label (and the track's, for one track).
    static func selectorLabels(_ e: EffectiveRollout, rollout name: String, track: Track?) -> [String: JSONValue] {
        var labels = (e.selector.matchLabels ?? [:]).mapValues { JSONValue.string($0) }
        labels[FledgeNames.rolloutLabel] = .string(name)
        if let track { labels[FledgeNames.trackLabel] = .string(track.rawValue) }
        return labels
    }

    static func deployment(_ intent: DeploymentIntent, template: DeploymentIntent.Template, rollout: Rollout,
                           effective e: EffectiveRollout) -> JSONValue {
        let name = rollout.metadata.name ?? ""
        var selector: JSONValue = ["matchLabels": .object(selectorLabels(e, rollout: name, track: intent.track))]
        if let expressions = e.selector.matchExpressions, !expressions.isEmpty,
           let json = try? JSONValue(encoding: expressions) {
            selector["matchExpressions"] = json
        }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": .string(intent.track == .stable ? FledgeNames.stableDeployment(name) : FledgeNames.canaryDeployment(name)),
                "namespace": .string(rollout.metadata.namespace ?? "default"),
                "labels": [FledgeNames.rolloutLabel: .string(name), FledgeNames.trackLabel: .string(intent.track.rawValue)],
                "annotations": [FledgeNames.templateHashAnnotation: .string(template.hash)],
                "ownerReferences": [ownerReference(rollout)],
            ],
            "spec": [
                "replicas": .number(Double(intent.replicas)),
                "selector": selector,
                "template": template.podTemplate,
                "progressDeadlineSeconds": .number(e.progressDeadline.seconds.rounded()),
            ],
        ]
    }

    static func service(_ intent: ServiceIntent, rollout: Rollout, effective e: EffectiveRollout) -> JSONValue {
        let name = rollout.metadata.name ?? ""
        var ports: [JSONValue] = []
        var seen = Set<Int>()
        for container in e.template[path: ["spec", "containers"]]?.arrayValue ?? [] {
            for port in container["ports"]?.arrayValue ?? [] {
                guard let number = port["containerPort"]?.intValue, seen.insert(number).inserted else { continue }
                var p: JSONValue = ["port": .number(Double(number)), "targetPort": .number(Double(number)),
                                    "protocol": port["protocol"] ?? "TCP"]
                if let portName = port["name"]?.stringValue { p["name"] = .string(portName) }
                ports.append(p)
            }
        }
        var labels: [String: JSONValue] = [FledgeNames.rolloutLabel: .string(name)]
        if let track = intent.track { labels[FledgeNames.trackLabel] = .string(track.rawValue) }
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": [
                "name": .string(intent.name), "namespace": .string(rollout.metadata.namespace ?? "default"),
                "labels": .object(labels), "ownerReferences": [ownerReference(rollout)],
            ],
            "spec": ["selector": .object(selectorLabels(e, rollout: name, track: intent.track)), "ports": .array(ports)],
        ]
    }
}
