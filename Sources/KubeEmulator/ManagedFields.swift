import Foundation
import KubeJSON

/// `metadata.managedFields` bookkeeping in the `FieldsV1` notation (`f:spec`, `k:{"name":"app"}`).
///
/// Field-ownership conflicts are not detected (out of scope for the emulator): an apply always wins.
enum ManagedFields {
    /// The set of leaf fields `value` sets, in FieldsV1 form; keyed lists use their merge keys.
    static func fieldSet(_ value: JSONValue, schema: JSONValue?) -> JSONValue {
        guard case .object(let o) = value else { return .object([:]) }
        var out: [String: JSONValue] = [:]
        for (key, child) in o {
            out["f:\(key)"] = childSet(child, schema: StrategicMerge.childSchema(schema, key))
        }
        return .object(out)
    }

    static func childSet(_ value: JSONValue, schema: JSONValue?) -> JSONValue {
        switch value {
        case .object:
            return fieldSet(value, schema: schema)
        case .array(let items):
            guard let keys = listMapKeys(schema) else { return .object([:]) }
            var out: [String: JSONValue] = [:]
            for item in items {
                var k: [String: JSONValue] = [:]
                for key in keys { k[key] = item[key] ?? .null }
                var set = fieldSet(item, schema: schema?["items"]).objectValue ?? [:]
                set["."] = .object([:])
                out["k:" + ((try? JSONValue.object(k).data(sortedKeys: true)).map { String(decoding: $0, as: UTF8.self) } ?? "{}")] = .object(set)
            }
            return .object(out)
        default:
            return .object([:])
        }
    }

    static func listMapKeys(_ schema: JSONValue?) -> [String]? {
        if let keys = schema?["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue), !keys.isEmpty { return keys }
        if let k = schema?["x-kubernetes-patch-merge-key"]?.stringValue { return [k] }
        return nil
    }

    /// Records (replaces) the entry of `manager` for `operation` in the object's managedFields.
    static func record(in object: inout JSONValue, manager: String, operation: String, apiVersion: String,
                       subresource: String?, fields: JSONValue) {
        var entries = object["metadata"]?["managedFields"]?.arrayValue ?? []
        entries.removeAll {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation
                && $0["subresource"]?.stringValue == subresource
        }
        if fields.objectValue?.isEmpty ?? true, operation == "Update" {
            object[path: ["metadata", "managedFields"]] = entries.isEmpty ? Optional<JSONValue>.none : .array(entries)
            return
        }
        var entry: JSONValue = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(Timestamps.now()), "fieldsType": "FieldsV1", "fieldsV1": fields,
        ]
        if let subresource { entry["subresource"] = .string(subresource) }
        entries.append(entry)
        object[path: ["metadata", "managedFields"]] = .array(entries)
    }

    /// The fields an Update changed: what is new or different in `new` compared to `old`.
    static func changedFields(from old: JSONValue?, to new: JSONValue, schema: JSONValue?) -> JSONValue {
        func strip(_ v: JSONValue) -> JSONValue {
            var o = v.objectValue ?? [:]
            var meta = o["metadata"]?.objectValue ?? [:]
            for k in ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds", "name", "namespace"] { meta[k] = nil }
            o["metadata"] = meta.isEmpty ? Optional<JSONValue>.none : .object(meta)
            o["apiVersion"] = nil
            o["kind"] = nil
            return .object(o)
        }
        let n = strip(new)
        guard let old else { return fieldSet(n, schema: schema) }
        return fieldSet(dropNulls(strip(old).mergePatch(to: n)), schema: schema)
    }

    static func dropNulls(_ v: JSONValue) -> JSONValue {
        guard case .object(let o) = v else { return v }
        return .object(o.compactMapValues { (v: JSONValue) -> JSONValue? in v == .null ? Optional<JSONValue>.none : dropNulls(v) })
    }

    /// Removes from `live` the fields `previous` owned that `current` no longer sets (an apply that drops a field),
    /// unless another manager (`others`) also owns them.
    static func removeDropped(from live: JSONValue, previous: JSONValue, current: JSONValue, others: JSONValue = [:]) -> JSONValue {
        guard case .object(var o) = live, let prev = previous.objectValue else { return live }
        let cur = current.objectValue ?? [:]
        let oth = others.objectValue ?? [:]
        for (token, prevChild) in prev where token.hasPrefix("f:") {
            let key = String(token.dropFirst(2))
            guard let child = o[key] else { continue }
            if let curChild = cur[token] {
                if case .array(let items) = child {
                    o[key] = .array(removeDroppedItems(items, previous: prevChild, current: curChild, others: oth[token] ?? [:]))
                } else {
                    o[key] = removeDropped(from: child, previous: prevChild, current: curChild, others: oth[token] ?? [:])
                }
            } else if let othChild = oth[token] {
                if case .object = child, !(othChild.objectValue?.isEmpty ?? true) {
                    o[key] = removeDropped(from: child, previous: prevChild, current: [:], others: othChild)
                }
            } else {
                o[key] = nil
            }
        }
        return .object(o)
    }

    static func removeDroppedItems(_ items: [JSONValue], previous: JSONValue, current: JSONValue, others: JSONValue) -> [JSONValue] {
        let prev = previous.objectValue ?? [:]
        let cur = current.objectValue ?? [:]
        let oth = others.objectValue ?? [:]
        // Explicit Optional: JSONValue is ExpressibleByNilLiteral, so a bare `nil` would become `.null`.
        return items.compactMap { (item: JSONValue) -> JSONValue? in
            guard let token = prev.keys.first(where: { $0.hasPrefix("k:") && matchesKey(item, $0) }) else { return item }
            guard let curSet = cur[token] else { return oth[token] != nil ? item : Optional<JSONValue>.none }
            return removeDropped(from: item, previous: prev[token]!, current: curSet, others: oth[token] ?? [:])
        }
    }

    /// The union of several field sets.
    static func union(_ sets: [JSONValue]) -> JSONValue {
        var out: [String: JSONValue] = [:]
        for set in sets {
            for (k, v) in set.objectValue ?? [:] {
                out[k] = out[k].map { union([$0, v]) } ?? v
            }
        }
        return .object(out)
    }

    static func matchesKey(_ item: JSONValue, _ token: String) -> Bool {
        guard let k = try? JSONValue(parsing: String(token.dropFirst(2))), let o = k.objectValue else { return false }
        return o.allSatisfy { item[$0.key] == $0.value }
    }
}
