import Foundation
import KubeJSON

/// Create, update, patch and delete with the real server's semantics, inside the store's lock.
extension ClusterState {
    // MARK: Create

    mutating func create(_ body: JSONValue, _ opts: WriteOptions) throws(APIError) -> WriteResult {
        let type = opts.type
        guard case .object = body else { throw .badRequest("Object 'Kind' is missing in '\(body.jsonString)'") }
        var obj = try checkTypeMeta(body, opts)
        if type.namespaced {
            let bodyNS = obj["metadata"]?["namespace"]?.stringValue ?? ""
            guard let ns = opts.namespace else { throw .notFoundPath() }
            if !bodyNS.isEmpty, bodyNS != ns {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj[path: ["metadata", "namespace"]] = .string(ns)
            if get(GroupResource(group: "", resource: "namespaces"), ObjectKey(namespace: "", name: ns)) == nil {
                throw .notFound("namespaces", group: "", name: ns)
            }
        } else {
            obj["metadata"]?["namespace"] = nil
        }
        if (obj["metadata"]?["name"]?.stringValue ?? "").isEmpty, let prefix = obj["metadata"]?["generateName"]?.stringValue, !prefix.isEmpty {
            obj[path: ["metadata", "name"]] = .string(prefix + Names.randomSuffix(5))
        }
        var warnings: [String] = []
        if type.hasStatus, opts.subresource == nil, type.group != "" || type.resource != "namespaces" { obj["status"] = nil }
        obj = try validated(obj, opts, warnings: &warnings)
        let name = obj["metadata"]?["name"]?.stringValue ?? ""
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        if get(type.groupResource, key) != nil {
            throw .alreadyExists(type.resource, group: type.group, name: name)
        }
        obj[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        obj[path: ["metadata", "creationTimestamp"]] = .string(Timestamps.now())
        obj["metadata"]?["deletionTimestamp"] = nil
        obj["metadata"]?["resourceVersion"] = nil
        if type.tracksGeneration { obj[path: ["metadata", "generation"]] = 1 } else { obj["metadata"]?["generation"] = nil }
        BuiltinDefaults.apply(to: &obj, type: type, state: self)
        ManagedFields.record(in: &obj, manager: opts.fieldManager, operation: "Update", apiVersion: opts.apiVersion,
                             subresource: nil, fields: ManagedFields.changedFields(from: nil, to: obj, schema: opts.schema))
        if opts.dryRun { return WriteResult(object: obj, warnings: warnings, created: true) }
        let stored = put(type.groupResource, obj)
        try afterWrite(type, old: nil, new: stored)
        return WriteResult(object: get(type.groupResource, key) ?? stored, warnings: warnings, created: true)
    }

    // MARK: Update

    mutating func update(name: String, _ body: JSONValue, _ opts: WriteOptions, operation: String = "Update",
                         appliedFields: JSONValue? = nil) throws(APIError) -> WriteResult {
        let type = opts.type
        guard case .object = body else { throw .badRequest("Object 'Kind' is missing in '\(body.jsonString)'") }
        var obj = try checkTypeMeta(body, opts)
        let bodyName = obj["metadata"]?["name"]?.stringValue ?? ""
        if !bodyName.isEmpty, bodyName != name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let bodyNS = obj["metadata"]?["namespace"]?.stringValue ?? ""
        if type.namespaced, !bodyNS.isEmpty, bodyNS != opts.namespace {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        guard let old = get(type.groupResource, key) else { throw .notFound(type.resource, group: type.group, name: name) }
        // Custom resources do not allow unconditional updates (the real strategy's AllowUnconditionalUpdate is false).
        if type.isCustom, (obj["metadata"]?["resourceVersion"]?.stringValue ?? "").isEmpty {
            var e = FieldError.invalid("metadata.resourceVersion", .null, "must be specified for an update")
            e.valueText = "0x0"
            throw .invalid(kind: type.resource, group: type.group, name: name, causes: [e])
        }
        if let rv = obj["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty,
           rv != old["metadata"]?["resourceVersion"]?.stringValue {
            throw .conflict(type.resource, group: type.group, name: name)
        }
        obj[path: ["metadata", "name"]] = .string(name)
        if type.namespaced { obj[path: ["metadata", "namespace"]] = .string(opts.namespace ?? "") }
        // Subresource semantics: the main resource ignores status; /status ignores everything but status.
        if opts.subresource == "status" {
            var merged = old
            merged["status"] = obj["status"]
            if let rv = obj["metadata"]?["resourceVersion"] { merged[path: ["metadata", "resourceVersion"]] = rv }
            obj = merged
        } else if type.hasStatus {
            obj["status"] = old["status"]
        }
        var warnings: [String] = []
        obj = try validated(obj, opts, warnings: &warnings)
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            obj[path: ["metadata", field]] = old["metadata"]?[field]
        }
        if obj["metadata"]?["managedFields"] == nil { obj[path: ["metadata", "managedFields"]] = old["metadata"]?["managedFields"] }
        if type.tracksGeneration, Self.specPart(obj, type) != Self.specPart(old, type) {
            obj[path: ["metadata", "generation"]] = .number(Double((old["metadata"]?["generation"]?.intValue ?? 0) + 1))
        }
        BuiltinDefaults.apply(to: &obj, type: type, state: self)
        // A finalizer may not be added to an object being deleted.
        if old["metadata"]?["deletionTimestamp"] != nil {
            let oldF = Set((old["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
            let newF = Set((obj["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
            if !newF.isSubset(of: oldF) {
                throw .invalid(kind: type.kind, group: type.group, name: name, causes: [
                    FieldError(reason: "FieldValueForbidden", field: "metadata.finalizers",
                               detail: "no new finalizers can be added if the object is being deleted, found new finalizers \(newF.subtracting(oldF).sorted())"),
                ])
            }
        }
        let fields = appliedFields ?? ManagedFields.changedFields(from: old, to: obj, schema: opts.schema)
        if !Self.sameIgnoringBookkeeping(obj, old) || appliedFields != nil {
            ManagedFields.record(in: &obj, manager: opts.fieldManager, operation: operation, apiVersion: opts.apiVersion,
                                 subresource: opts.subresource, fields: fields)
        }
        if Self.sameIgnoringBookkeeping(obj, old) && Self.sameManagers(obj, old) {
            return WriteResult(object: old, warnings: warnings)
        }
        if opts.dryRun { return WriteResult(object: obj, warnings: warnings) }
        let stored = put(type.groupResource, obj)
        try afterWrite(type, old: old, new: stored)
        return WriteResult(object: get(type.groupResource, key) ?? stored, warnings: warnings)
    }

    /// The part of an object whose change bumps `metadata.generation`.
    static func specPart(_ obj: JSONValue, _ type: ResourceType) -> JSONValue {
        var o = obj
        o["metadata"] = nil
        if type.hasStatus { o["status"] = nil }
        return o
    }

    static func sameIgnoringBookkeeping(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var x = a, y = b
        for field in ["managedFields", "resourceVersion"] {
            x["metadata"]?[field] = nil
            y["metadata"]?[field] = nil
        }
        return x == y
    }

    static func sameManagers(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func strip(_ v: JSONValue) -> [JSONValue] {
            (v["metadata"]?["managedFields"]?.arrayValue ?? []).map { var e = $0; e["time"] = nil; return e }
        }
        return strip(a) == strip(b)
    }

    // MARK: Patch

    mutating func patch(name: String, contentType: String, _ patchBody: [UInt8], _ opts: WriteOptions) throws(APIError) -> WriteResult {
        let type = opts.type
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var accepted = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
        if type.strategicMerge { accepted.insert("application/strategic-merge-patch+json", at: 2) }
        guard accepted.contains(mediaType) else { throw .unsupportedMediaType(contentType, accepted: accepted) }
        let patch: JSONValue
        do { patch = try JSONParser.parse(patchBody) } catch {
            if mediaType == "application/apply-patch+yaml" {
                throw .badRequest("the emulator accepts apply configurations as JSON only (YAML needs a YAML parser): error decoding YAML")
            }
            throw .badRequest("error decoding patch: invalid JSON")
        }
        if mediaType == "application/apply-patch+yaml" {
            return try apply(name: name, patch, opts)
        }
        guard var current = get(type.groupResource, key) else { throw .notFound(type.resource, group: type.group, name: name) }
        if opts.subresource == "scale" {
            current = try Scale.read(current, type: type)
        }
        var patched: JSONValue
        switch mediaType {
        case "application/merge-patch+json":
            guard case .object = patch else { throw .badRequest("merge patch must be a JSON object") }
            patched = current.applyingMergePatch(patch)
        case "application/json-patch+json":
            do { patched = try current.applyingJSONPatch(patch) } catch {
                if case .invalidPatch(let m) = error { throw .badRequest(m) }
                var e = APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string(error.description)]]])
                e.message = "the server rejected our request due to an error in our request"
                throw e
            }
        default:
            let schema = opts.subresource == "scale" ? nil : opts.schema
            patched = try StrategicMerge.apply(patch, to: current, schema: schema)
        }
        if opts.subresource == "scale" {
            return try scale(name: name, patched, opts)
        }
        // A patch that changes resourceVersion is a precondition, as with update.
        if patched["metadata"]?["resourceVersion"] == nil { patched[path: ["metadata", "resourceVersion"]] = current["metadata"]?["resourceVersion"] }
        var result = try update(name: name, patched, opts)
        result.created = false
        return result
    }

    /// Server-side apply: create, or merge the configuration into the live object (lists merged by their keys),
    /// dropping fields this manager applied before and no longer sets.
    mutating func apply(name: String, _ config: JSONValue, _ opts: WriteOptions) throws(APIError) -> WriteResult {
        let type = opts.type
        guard opts.fieldManager != "unknown", !opts.fieldManager.isEmpty else {
            throw .invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [.required("fieldManager", "is required for apply patch")])
        }
        guard case .object = config else { throw .badRequest("an apply configuration must be an object") }
        if let n = config["metadata"]?["name"]?.stringValue, n != name {
            throw .badRequest("the name of the object (\(n)) does not match the name on the URL (\(name))")
        }
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        var cfg = config
        cfg[path: ["metadata", "name"]] = .string(name)
        // As structured-merge-diff does, a list-map key field left out takes its default before items are
        // matched and owned, so an applied container port without `protocol` is the live `TCP` one (not a
        // second port, which would change the pod template on every apply and restart the pods).
        BuiltinDefaults.applyKeyDefaults(to: &cfg, type: type)
        let fields = ManagedFields.fieldSet(Self.withoutIdentity(cfg), schema: opts.schema)
        guard let live = get(type.groupResource, key) else {
            var result = try create(cfg, opts)
            var obj = result.object
            ManagedFields.record(in: &obj, manager: opts.fieldManager, operation: "Apply", apiVersion: opts.apiVersion, subresource: nil, fields: fields)
            obj[path: ["metadata", "managedFields"]] = .array((obj["metadata"]?["managedFields"]?.arrayValue ?? []).filter {
                $0["operation"]?.stringValue == "Apply"
            })
            if !opts.dryRun { result.object = put(type.groupResource, obj) }
            result.created = true
            return result
        }
        var merged = ServerSideApply.merge(cfg, into: live, schema: opts.schema)
        let entries = live["metadata"]?["managedFields"]?.arrayValue ?? []
        let isMine = { (e: JSONValue) in
            e["manager"]?.stringValue == opts.fieldManager && e["operation"]?.stringValue == "Apply" && e["subresource"] == nil
        }
        if let previous = entries.first(where: isMine)?["fieldsV1"] {
            let others = ManagedFields.union(entries.filter { !isMine($0) }.compactMap { $0["fieldsV1"] })
            merged = ManagedFields.removeDropped(from: merged, previous: previous, current: fields, others: others)
        }
        merged[path: ["metadata", "resourceVersion"]] = cfg["metadata"]?["resourceVersion"] ?? live["metadata"]?["resourceVersion"]
        return try update(name: name, merged, opts, operation: "Apply", appliedFields: fields)
    }

    static func withoutIdentity(_ cfg: JSONValue) -> JSONValue {
        var c = cfg
        c["apiVersion"] = nil
        c["kind"] = nil
        // As the real field manager strips them: identity and server-set metadata are never owned fields (an
        // apply configuration's resourceVersion is only a precondition).
        for field in ["name", "namespace", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink", "managedFields"] {
            c["metadata"]?[field] = nil
        }
        if c["metadata"]?.objectValue?.isEmpty == true { c["metadata"] = nil }
        return c
    }

    // MARK: Scale

    mutating func scale(name: String, _ scaleObject: JSONValue, _ opts: WriteOptions) throws(APIError) -> WriteResult {
        let type = opts.type
        let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
        guard let spec = type.scale else { throw .notFoundPath() }
        guard var current = get(type.groupResource, key) else { throw .notFound(type.resource, group: type.group, name: name) }
        if let rv = scaleObject["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty,
           rv != current["metadata"]?["resourceVersion"]?.stringValue {
            throw .conflict(type.resource, group: type.group, name: name)
        }
        guard let replicas = scaleObject["spec"]?["replicas"]?.intValue ?? (scaleObject["spec"]?["replicas"] == nil ? 0 : nil) else {
            throw .invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                FieldError(reason: "FieldValueTypeInvalid", field: "spec.replicas", detail: "spec.replicas in body must be of type integer", value: scaleObject["spec"]?["replicas"]),
            ])
        }
        if replicas < 0 {
            throw .invalid(kind: "Scale", group: "autoscaling", name: name,
                           causes: [.invalid("spec.replicas", .number(Double(replicas)), "must be greater than or equal to 0")])
        }
        current[path: ScaleSpec.keys(spec.specReplicasPath)] = .number(Double(replicas))
        var o = opts
        o.subresource = nil
        let result = try update(name: name, current, o)
        return WriteResult(object: try Scale.read(result.object, type: type), warnings: result.warnings)
    }

    // MARK: Validation

    /// Checks `apiVersion` and `kind` of a body and fills them in when missing.
    func checkTypeMeta(_ body: JSONValue, _ opts: WriteOptions) throws(APIError) -> JSONValue {
        var obj = body
        if let k = obj["kind"]?.stringValue, !k.isEmpty, k != opts.type.kind {
            throw .badRequest("the server could not find the requested resource (kind \(k) does not match \(opts.type.kind))")
        }
        if let av = obj["apiVersion"]?.stringValue, !av.isEmpty, av != opts.apiVersion {
            throw .badRequest("the API version in the data (\(av)) does not match the expected API version (\(opts.apiVersion))")
        }
        obj["kind"] = .string(opts.type.kind)
        obj["apiVersion"] = .string(opts.apiVersion)
        if obj["metadata"]?.objectValue == nil { obj["metadata"] = .object([:]) }
        return obj
    }

    /// Prunes unknown fields (rejecting them under `fieldValidation=Strict`), then validates.
    func validated(_ obj: JSONValue, _ opts: WriteOptions, warnings: inout [String]) throws(APIError) -> JSONValue {
        let type = opts.type
        var value = obj
        let name = obj["metadata"]?["name"]?.stringValue ?? ""
        if let schema = opts.schema {
            let outcome = SchemaValidator(schema: schema).validate(obj)
            if !outcome.unknownFields.isEmpty {
                switch opts.fieldValidation {
                case "Strict":
                    let list = outcome.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                    throw .badRequest("\(type.kind) in version \"\(opts.version)\" cannot be handled as a \(type.kind): strict decoding error: \(list)")
                case "Ignore":
                    break
                default:
                    warnings += outcome.unknownFields.map { "unknown field \"\($0)\"" }
                }
            }
            if !outcome.errors.isEmpty {
                throw .invalid(kind: type.kind, group: type.group, name: name, causes: outcome.errors)
            }
            value = outcome.value
        }
        var errors: [FieldError] = []
        if name.isEmpty {
            errors.append(.required("metadata.name", "name or generateName is required"))
        } else if let problem = Names.validate(name, type: type) {
            errors.append(.invalid("metadata.name", .string(name), problem))
        }
        errors += BuiltinValidation.validate(value, type: type)
        if !errors.isEmpty { throw .invalid(kind: type.kind, group: type.group, name: name, causes: errors) }
        return value
    }
}
