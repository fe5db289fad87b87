import KubeJSON

/// The merge half of server-side apply: maps merge recursively; lists whose schema names keys
/// (`x-kubernetes-list-type: map` or a patch merge key) merge item by item; other lists and scalars are replaced.
enum ServerSideApply {
    static func merge(_ config: JSONValue, into live: JSONValue, schema: JSONValue?) -> JSONValue {
        switch (live, config) {
        case (.object(var l), .object(let c)):
            for (key, value) in c {
                let sub = StrategicMerge.childSchema(schema, key)
                l[key] = l[key].map { merge(value, into: $0, schema: sub) } ?? value
            }
            return .object(l)
        case (.array(let l), .array(let c)):
            guard let keys = ManagedFields.listMapKeys(schema) else { return config }
            var out = l
            for item in c {
                if let i = out.firstIndex(where: { existing in keys.allSatisfy { existing[$0] == item[$0] } }) {
                    out[i] = merge(item, into: out[i], schema: schema?["items"])
                } else {
                    out.append(item)
                }
            }
            return .array(out)
        default:
            return config
        }
    }
}
