import KubeJSON

/// Discovery documents: `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`, legacy and aggregated (apidiscovery.k8s.io/v2).
enum Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Whether the client asked for aggregated discovery first.
    static func wantsAggregated(_ accept: String?) -> Bool {
        guard let first = accept?.split(separator: ",").first else { return false }
        let p = first.replacingOccurrences(of: " ", with: "")
        return p.contains("g=apidiscovery.k8s.io") && p.contains("v=v2;") && p.contains("as=APIGroupDiscoveryList")
    }

    /// Groups in discovery order: the built-in order first, then custom groups alphabetically.
    static func groups(_ types: [ResourceType]) -> [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        let builtinOrder = BuiltinResources.all.map(\.group)
        let sorted = types.sorted { a, b in
            let ia = builtinOrder.firstIndex(of: a.group) ?? Int.max
            let ib = builtinOrder.firstIndex(of: b.group) ?? Int.max
            return ia != ib ? ia < ib : a.group < b.group
        }
        for t in sorted {
            if versions[t.group] == nil { order.append(t.group) }
            for v in t.versions where !(versions[t.group]?.contains(v) ?? false) { versions[t.group, default: []].append(v) }
        }
        return order.map { ($0, (versions[$0] ?? []).sorted { VersionPriority.compare($0, $1) }) }
    }

    static func apiVersions(serverAddress: String) -> JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    static func groupList(_ types: [ResourceType]) -> JSONValue {
        let items: [JSONValue] = groups(types).filter { !$0.name.isEmpty }.map { g in
            let versions: [JSONValue] = g.versions.map { ["groupVersion": .string("\(g.name)/\($0)"), "version": .string($0)] }
            return ["name": .string(g.name), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(items)]
    }

    static func group(_ name: String, _ types: [ResourceType]) -> JSONValue? {
        guard let g = groups(types).first(where: { $0.name == name }), !name.isEmpty else { return nil }
        let versions: [JSONValue] = g.versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(versions),
                "preferredVersion": versions.first ?? .null]
    }

    static func subresourceVerbs(_ t: ResourceType) -> [(String, JSONValue, String)] {
        var subs: [(String, JSONValue, String)] = []
        if t.hasStatus { subs.append(("status", ["group": .string(t.group), "kind": .string(t.kind)], t.kind)) }
        if t.scale != nil { subs.append(("scale", ["group": "autoscaling", "version": "v1", "kind": "Scale"], "Scale")) }
        return subs
    }

    static func resourceList(group: String, version: String, _ types: [ResourceType]) -> JSONValue? {
        let served = types.filter { $0.group == group && $0.versions.contains(version) }.sorted { $0.resource < $1.resource }
        guard !served.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for t in served {
            var r: JSONValue = ["name": .string(t.resource), "singularName": .string(t.singular), "namespaced": .bool(t.namespaced),
                                "kind": .string(t.kind), "verbs": .array(t.verbs.map { .string($0) })]
            if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map { .string($0) }) }
            if !t.categories.isEmpty { r["categories"] = .array(t.categories.map { .string($0) }) }
            resources.append(r)
            for (sub, kindRef, kind) in subresourceVerbs(t) {
                var s: JSONValue = ["name": .string("\(t.resource)/\(sub)"), "singularName": "", "namespaced": .bool(t.namespaced),
                                    "kind": .string(kind), "verbs": ["get", "patch", "update"]]
                if sub == "scale" { s["group"] = kindRef["group"]; s["version"] = kindRef["version"] }
                resources.append(s)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }

    /// The aggregated document for `/api` (core only) or `/apis` (every other group).
    static func aggregated(core: Bool, _ types: [ResourceType]) -> JSONValue {
        let items: [JSONValue] = groups(types).filter { $0.name.isEmpty == core }.map { g in
            let versions: [JSONValue] = g.versions.map { v in
                let resources: [JSONValue] = types.filter { $0.group == g.name && $0.versions.contains(v) }
                    .sorted { $0.resource < $1.resource }.map { t in
                        var r: JSONValue = [
                            "resource": .string(t.resource),
                            "responseKind": ["group": .string(t.group), "version": .string(v), "kind": .string(t.kind)],
                            "scope": t.namespaced ? "Namespaced" : "Cluster",
                            "singularResource": .string(t.singular),
                            "verbs": .array(t.verbs.map { .string($0) }),
                        ]
                        if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map { .string($0) }) }
                        if !t.categories.isEmpty { r["categories"] = .array(t.categories.map { .string($0) }) }
                        let subs: [JSONValue] = subresourceVerbs(t).map { sub, kindRef, _ in
                            var k = kindRef
                            if k["version"] == nil { k["version"] = .string(v) }
                            return ["subresource": .string(sub), "responseKind": k, "verbs": ["get", "patch", "update"]]
                        }
                        if !subs.isEmpty { r["subresources"] = .array(subs) }
                        return r
                    }
                return ["version": .string(v), "resources": .array(resources), "freshness": "Current"]
            }
            return ["metadata": ["name": .string(g.name), "creationTimestamp": nil], "versions": .array(versions)]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }
}
