import KubeJSON

/// Turning a CustomResourceDefinition into a served resource type, and the CRD's status.
enum CustomResources {
    static let crdResource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")

    static func validate(_ crd: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = crd["spec"] ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec["names"]?["plural"]?.stringValue ?? ""
        let name = crd["metadata"]?["name"]?.stringValue ?? ""
        if name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if !group.contains(".") { errors.append(.invalid("spec.group", .string(group), "should be a domain with at least one dot")) }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            errors.append(FieldError(reason: "FieldValueNotSupported", field: "spec.scope", detail: "supported values: \"Cluster\", \"Namespaced\"", value: .string(scope)))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { errors.append(.required("spec.versions", "must have exactly one version marked as storage version")) }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            errors.append(.invalid("spec.versions", .array(versions.map { $0["name"] ?? .null }), "must have exactly one version marked as storage version"))
        }
        for (i, v) in versions.enumerated() {
            if v["name"]?.stringValue == nil { errors.append(.required("spec.versions[\(i)].name")) }
            if v["served"]?.boolValue == nil { errors.append(.required("spec.versions[\(i)].served")) }
            if v["storage"]?.boolValue == nil { errors.append(.required("spec.versions[\(i)].storage")) }
            if v["schema"]?["openAPIV3Schema"] == nil {
                errors.append(.required("spec.versions[\(i)].schema.openAPIV3Schema", "schemas are required"))
            }
        }
        return errors
    }

    /// The resource type a CRD defines (served versions only; preferred = the storage version if served, else the first).
    static func resourceType(from crd: JSONValue) -> ResourceType? {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue, let names = spec["names"],
              let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue else { return nil }
        let allVersions = spec["versions"]?.arrayValue ?? []
        let served = allVersions.filter { $0["served"]?.boolValue == true }
        guard !served.isEmpty else { return nil }
        // Preferred version: kube-aware version priority (v1 > v1beta1 > v1alpha1), like discovery orders them.
        let versionNames = served.compactMap { $0["name"]?.stringValue }.sorted { VersionPriority.compare($0, $1) }
        var schemas: [String: JSONValue] = [:]
        for v in served {
            guard let n = v["name"]?.stringValue else { continue }
            schemas[n] = v["schema"]?["openAPIV3Schema"] ?? BuiltinSchemas.anyObject
        }
        let preferred = served.first { $0["name"]?.stringValue == versionNames.first }
        let subresources = preferred?["subresources"]
        var scale: ScaleSpec?
        if let s = subresources?["scale"] {
            scale = ScaleSpec(specReplicasPath: s["specReplicasPath"]?.stringValue ?? ".spec.replicas",
                              statusReplicasPath: s["statusReplicasPath"]?.stringValue ?? ".status.replicas",
                              labelSelectorPath: s["labelSelectorPath"]?.stringValue)
        }
        var columns: [PrinterColumn]?
        if let cols = preferred?["additionalPrinterColumns"]?.arrayValue, !cols.isEmpty {
            columns = cols.map { c in
                PrinterColumn(name: c["name"]?.stringValue ?? "", type: c["type"]?.stringValue ?? "string",
                              format: c["format"]?.stringValue ?? "", description: c["description"]?.stringValue ?? "",
                              priority: c["priority"]?.intValue ?? 0, jsonPath: c["jsonPath"]?.stringValue ?? "")
            }
        }
        var t = ResourceType(group: group, versions: versionNames, resource: plural,
                             singular: names["singular"]?.stringValue ?? kind.lowercased(), kind: kind,
                             namespaced: spec["scope"]?.stringValue != "Cluster",
                             shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                             categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                             hasStatus: subresources?["status"] != nil, scale: scale, tracksGeneration: true, strategicMerge: false,
                             columns: columns, schemas: schemas, isCustom: true)
        t.listKind = names["listKind"]?.stringValue ?? kind + "List"
        t.customColumns = true
        t.returnsDeletedObject = true
        return t
    }

    /// The status the CRD controller writes: accepted names and Established/NamesAccepted conditions.
    static func status(for crd: JSONValue, existing: JSONValue?) -> JSONValue {
        let now = Timestamps.now()
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            let previous = existing?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
            return ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                    "lastTransitionTime": previous?["lastTransitionTime"] ?? .string(now)]
        }
        var names = crd["spec"]?["names"] ?? [:]
        if names["singular"] == nil, let k = names["kind"]?.stringValue { names["singular"] = .string(k.lowercased()) }
        if names["listKind"] == nil, let k = names["kind"]?.stringValue { names["listKind"] = .string(k + "List") }
        let storage = (crd["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
        var stored = existing?["storedVersions"]?.arrayValue ?? []
        for v in storage where !stored.contains(v) { stored.append(v) }
        return [
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
            "acceptedNames": names,
            "storedVersions": .array(stored),
        ]
    }
}

/// Kubernetes version ordering: GA > beta > alpha, higher numbers first, others alphabetically last.
enum VersionPriority {
    static func key(_ v: String) -> (Int, Int, Int, String) {
        guard v.hasPrefix("v"), let major = Int(v.dropFirst().prefix { $0.isNumber }) else { return (3, 0, 0, v) }
        let rest = v.dropFirst(1 + String(major).count)
        if rest.isEmpty { return (0, -major, 0, v) }
        for (i, tag) in ["beta", "alpha"].enumerated() where rest.hasPrefix(tag) {
            if let minor = Int(rest.dropFirst(tag.count)) { return (1 + i, -major, -minor, v) }
        }
        return (3, 0, 0, v)
    }
    static func compare(_ a: String, _ b: String) -> Bool { key(a) < key(b) }
}
