import KubeJSON

/// The `autoscaling/v1` `Scale` view of a resource with a scale subresource.
enum Scale {
    static func read(_ object: JSONValue, type: ResourceType) throws(APIError) -> JSONValue {
        guard let spec = type.scale else { throw .notFoundPath() }
        let meta = object["metadata"] ?? [:]
        var m: JSONValue = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { m[key] = meta[key] }
        var status: JSONValue = ["replicas": object[path: ScaleSpec.keys(spec.statusReplicasPath)] ?? 0]
        if let selectorPath = spec.labelSelectorPath, let sel = object[path: ScaleSpec.keys(selectorPath)] {
            if let s = sel.stringValue { status["selector"] = .string(s) }
            else if let parsed = try? LabelSelector(object: sel) { status["selector"] = .string(parsed.description) }
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": m,
            "spec": ["replicas": object[path: ScaleSpec.keys(spec.specReplicasPath)] ?? 0],
            "status": status,
        ]
    }
}
