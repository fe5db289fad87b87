import KubeJSON

/// Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
///
/// Merge keys and strategies come from the schema's `x-kubernetes-patch-merge-key` and
/// `x-kubernetes-patch-strategy` (the same extensions kubectl reads), so the rules are data, not code.
/// Supports `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` and
/// `$deleteFromPrimitiveList/<list>`; `null` deletes a key.
public enum StrategicMerge {
    /// Applies `patch` to `original`. `schema` is the kind's OpenAPI schema (may be nil: plain merge semantics).
    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: JSONValue?) throws(APIError) -> JSONValue {
        guard case .object = patch else { throw .badRequest("strategic merge patch must be a JSON object") }
        return try mergeMap(original.objectValue ?? [:], patch.objectValue ?? [:], schema: schema).map(JSONValue.object) ?? .object([:])
    }

    static func childSchema(_ schema: JSONValue?, _ key: String) -> JSONValue? {
        if let s = schema?["properties"]?[key] { return s }
        if let s = schema?["additionalProperties"], s.objectValue != nil { return s }
        return nil
    }

    /// nil means "delete this map" (`$patch: delete`).
    static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], schema: JSONValue?) throws(APIError) -> [String: JSONValue]? {
        switch patch["$patch"]?.stringValue {
        case "replace":
            var p = patch
            p["$patch"] = nil
            return stripDirectives(p)
        case "delete":
            return nil
        case nil, "merge":
            break
        case let other?:
            throw .badRequest("Unknown patch type: \(other) in map: \(JSONValue.object(patch).jsonString)")
        }
        var result = original
        for (key, value) in patch.sorted(by: { $0.key < $1.key }) {
            if key == "$patch" || key == "$retainKeys" || key.hasPrefix("$setElementOrder/") || key.hasPrefix("$deleteFromPrimitiveList/") {
                continue
            }
            if value == .null {
                result[key] = nil
                continue
            }
            let sub = childSchema(schema, key)
            switch (result[key], value) {
            case (.object(let o)?, .object(let p)):
                if let merged = try mergeMap(o, p, schema: sub) { result[key] = .object(merged) } else { result[key] = nil }
            case (_, .object(let p)):
                if let merged = try mergeMap([:], p, schema: sub) { result[key] = .object(merged) } else { result[key] = nil }
            case (let existing, .array(let p)):
                result[key] = .array(try mergeList(existing?.arrayValue ?? [], p, schema: sub))
            default:
                result[key] = value
            }
        }
        for (key, value) in patch where key.hasPrefix("$deleteFromPrimitiveList/") {
            let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
            let remove = value.arrayValue ?? []
            if let list = result[field]?.arrayValue { result[field] = .array(list.filter { !remove.contains($0) }) }
        }
        for (key, value) in patch where key.hasPrefix("$setElementOrder/") {
            let field = String(key.dropFirst("$setElementOrder/".count))
            guard let list = result[field]?.arrayValue, let order = value.arrayValue else { continue }
            let mergeKey = childSchema(schema, field)?["x-kubernetes-patch-merge-key"]?.stringValue
            result[field] = .array(reorder(list, by: order, mergeKey: mergeKey))
        }
        if let retain = patch["$retainKeys"]?.arrayValue {
            let keep = Set(retain.compactMap(\.stringValue))
            for key in result.keys where !keep.contains(key) { result[key] = nil }
        }
        return result
    }

    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], schema: JSONValue?) throws(APIError) -> [JSONValue] {
        let strategy = schema?["x-kubernetes-patch-strategy"]?.stringValue ?? ""
        guard strategy.split(separator: ",").contains("merge") else {
            return patch.map { $0.objectValue.map { JSONValue.object(stripDirectives($0)) } ?? $0 }
        }
        let items = schema?["items"]
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"] == nil }.map { $0.objectValue.map { JSONValue.object(stripDirectives($0)) } ?? $0 }
        }
        guard let mergeKey = schema?["x-kubernetes-patch-merge-key"]?.stringValue else {
            // A set of primitives: union, original order first.
            var out = original
            for v in patch where !out.contains(v) { out.append(v) }
            return out
        }
        var out = original
        for element in patch {
            guard let p = element.objectValue else { throw .badRequest("the list of maps \(mergeKey) contains a non-map element") }
            guard let keyValue = p[mergeKey] else {
                if p["$patch"]?.stringValue == "delete" { continue }
                throw .badRequest("map: \(element.jsonString) does not contain declared merge key: \(mergeKey)")
            }
            let index = out.firstIndex { $0[mergeKey] == keyValue }
            if p["$patch"]?.stringValue == "delete" {
                out.removeAll { $0[mergeKey] == keyValue }
                continue
            }
            if let index {
                if let merged = try mergeMap(out[index].objectValue ?? [:], p, schema: items) {
                    out[index] = .object(merged)
                } else {
                    out.remove(at: index)
                }
            } else if let merged = try mergeMap([:], p, schema: items) {
                out.append(.object(merged))
            }
        }
        return out
    }

    static func reorder(_ list: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        func key(_ v: JSONValue) -> JSONValue { mergeKey.flatMap { v[$0] } ?? v }
        let orderKeys = order.map(key)
        var ordered: [JSONValue] = []
        for k in orderKeys {
            if let item = list.first(where: { key($0) == k }) { ordered.append(item) }
        }
        for item in list where !orderKeys.contains(key(item)) { ordered.append(item) }
        return ordered
    }

    static func stripDirectives(_ o: [String: JSONValue]) -> [String: JSONValue] {
        var r: [String: JSONValue] = [:]
        for (k, v) in o where !k.hasPrefix("$") {
            if let child = v.objectValue { r[k] = .object(stripDirectives(child)) } else { r[k] = v }
        }
        return r
    }
}
