import KubeJSON

/// Deletion with finalizers and propagation policies, and what follows writes (CRD registration, finalizer release).
extension ClusterState {
    static let namespacesResource = GroupResource(group: "", resource: "namespaces")

    /// Deletes an object. Returns the deleted object, or the object now marked for deletion (finalizers pending).
    mutating func delete(name: String, _ opts: WriteOptions, _ del: DeleteOptions) throws(APIError) -> JSONValue {
        let type = opts.type
        let gr = type.groupResource
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        guard var obj = get(gr, key) else { throw .notFound(type.resource, group: type.group, name: name) }
        if gr == Self.namespacesResource, ["default", "kube-system", "kube-public"].contains(name) {
            throw APIError(code: 403, reason: "Forbidden", message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                           details: APIError.details(name: name, group: "", kind: "namespaces"))
        }
        let uid = obj["metadata"]?["uid"]?.stringValue ?? ""
        if let p = del.preconditionUID, p != uid {
            throw .conflict(type.resource, group: type.group, name: name,
                            message: "Precondition failed: UID in precondition: \(p), UID in object meta: \(uid)")
        }
        let rv = obj["metadata"]?["resourceVersion"]?.stringValue ?? ""
        if let p = del.preconditionResourceVersion, p != rv {
            throw .conflict(type.resource, group: type.group, name: name,
                            message: "Precondition failed: ResourceVersion in precondition: \(p), ResourceVersion in object meta: \(rv)")
        }
        if del.dryRun { return obj }
        var finalizers = (obj["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch del.propagation {
        case .orphan?:
            orphanDependents(of: uid)
        case .foreground?:
            if !dependents(of: uid).isEmpty, !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
        default:
            if finalizers.contains("orphan") {
                orphanDependents(of: uid)
                finalizers.removeAll { $0 == "orphan" }
            }
        }
        if !finalizers.isEmpty {
            if obj["metadata"]?["deletionTimestamp"] == nil {
                obj[path: ["metadata", "deletionTimestamp"]] = .string(Timestamps.now())
                obj[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
                if type.tracksGeneration {
                    obj[path: ["metadata", "generation"]] = .number(Double((obj["metadata"]?["generation"]?.intValue ?? 0) + 1))
                }
            }
            obj[path: ["metadata", "finalizers"]] = .array(finalizers.map { .string($0) })
            return put(gr, obj)
        }
        return purge(gr, key)
    }

    /// Removes an object for good, with what must go along with it (a CRD's objects, a namespace's contents).
    @discardableResult
    mutating func purge(_ gr: GroupResource, _ key: ObjectKey) -> JSONValue {
        if gr == Self.namespacesResource {
            for (other, objs) in objects where types[other]?.namespaced == true {
                for k in objs.keys where k.namespace == key.name { remove(other, k) }
            }
        }
        if gr == CustomResources.crdResource, let crd = get(gr, key), let t = CustomResources.resourceType(from: crd) {
            for k in (objects[t.groupResource] ?? [:]).keys.sorted() { remove(t.groupResource, k) }
            types[t.groupResource] = nil
            objects[t.groupResource] = nil
        }
        return remove(gr, key) ?? .null
    }

    /// Objects that name `uid` among their owners.
    func dependents(of uid: String) -> [(GroupResource, JSONValue)] {
        guard !uid.isEmpty else { return [] }
        return owned.sorted().compactMap { stored in
            guard let o = get(stored),
                  (o["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) else { return nil }
            return (stored.groupResource, o)
        }
    }

    mutating func orphanDependents(of uid: String) {
        for (gr, var o) in dependents(of: uid) {
            let refs = (o["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid }
            o[path: ["metadata", "ownerReferences"]] = refs.isEmpty ? Optional<JSONValue>.none : .array(refs)
            put(gr, o)
        }
    }

    /// Runs after every stored write: registers CRDs and removes objects whose last finalizer went away.
    mutating func afterWrite(_ type: ResourceType, old: JSONValue?, new: JSONValue) throws(APIError) {
        let key = ObjectKey(namespace: new["metadata"]?["namespace"]?.stringValue ?? "", name: new["metadata"]?["name"]?.stringValue ?? "")
        if new["metadata"]?["deletionTimestamp"] != nil, (new["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            purge(type.groupResource, key)
            return
        }
        if type.groupResource == CustomResources.crdResource, new["metadata"]?["deletionTimestamp"] == nil {
            guard let t = CustomResources.resourceType(from: new) else { return }
            if let clash = types[t.groupResource], !clash.isCustom {
                throw .invalid(kind: type.kind, group: type.group, name: key.name,
                               causes: [.invalid("spec.names.plural", .string(t.resource), "conflicts with a built-in resource")])
            }
            types[t.groupResource] = t
            var crd = new
            let status = CustomResources.status(for: crd, existing: old?["status"])
            if crd["status"] != status {
                crd["status"] = status
                put(type.groupResource, crd)
            }
        }
    }
}
