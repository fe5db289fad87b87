import KubeJSON

/// A resource served from another resource's storage, with conversions both ways — as `events.k8s.io/v1`
/// Events are a second view of core `v1` Events in a real cluster.
struct StorageView: Sendable {
    let storageType: ResourceType
    let toStorage: @Sendable (JSONValue) -> JSONValue
    let fromStorage: @Sendable (JSONValue) -> JSONValue

    static let coreEvents = GroupResource(group: "", resource: "events")

    /// The view for a served type, when it is stored elsewhere.
    static func view(for type: ResourceType, types: [GroupResource: ResourceType]) -> StorageView? {
        guard let stored = type.storedAs, let storageType = types[stored] else { return nil }
        switch (type.group, type.resource) {
        case ("events.k8s.io", "events"):
            return StorageView(storageType: storageType, toStorage: EventConversion.toCore, fromStorage: EventConversion.fromCore)
        default:
            return nil
        }
    }
}

/// Field mapping between `events.k8s.io/v1` and core `v1` Events.
enum EventConversion {
    /// (events.k8s.io field, core field)
    static let pairs: [(String, String)] = [
        ("regarding", "involvedObject"), ("related", "related"), ("note", "message"), ("reason", "reason"), ("type", "type"),
        ("eventTime", "eventTime"), ("series", "series"), ("action", "action"), ("reportingController", "reportingComponent"),
        ("reportingInstance", "reportingInstance"), ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
    ]

    @Sendable static func toCore(_ e: JSONValue) -> JSONValue {
        var c: JSONValue = ["apiVersion": "v1", "kind": "Event", "metadata": e["metadata"] ?? [:]]
        for (new, old) in pairs { if let v = e[new] { c[old] = v } }
        if c["involvedObject"] == nil { c["involvedObject"] = [:] }
        return c
    }

    @Sendable static func fromCore(_ c: JSONValue) -> JSONValue {
        var e: JSONValue = ["apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": c["metadata"] ?? [:]]
        for (new, old) in pairs { if let v = c[old] { e[new] = v } }
        if e["reportingController"] == nil, let component = c["source"]?["component"] { e["reportingController"] = component }
        if e["eventTime"] == nil { e["eventTime"] = .null }
        return e
    }
}
