import Foundation
import KubeJSON

/// The verbs for a resource served from another resource's storage (``StorageView``): requests are validated in
/// the served form, converted, and stored; answers and watch events are converted back.
struct ViewEndpoints {
    let server: APIServer
    var store: Store { server.store }

    func handle(_ request: EmulatorRequest, _ rp: ResourcePath, type: ResourceType, view: StorageView,
                served servedOpts: WriteOptions, table: Bool, watch: Bool, includeObject: String) throws(APIError) -> EmulatorResponse {
        guard rp.subresource == nil else { throw .notFoundPath() }
        let storage = view.storageType
        var storageOpts = servedOpts
        storageOpts.type = storage
        storageOpts.version = storage.preferredVersion
        storageOpts.fieldValidation = "Ignore"
        let out = { (o: JSONValue) in ResourceEndpoints.served(view.fromStorage(o), type: type, version: rp.version) }
        let endpoints = ResourceEndpoints(server: server)

        switch (request.method, rp.name) {
        case ("GET", let name) where watch:
            return try WatchEndpoint(server: server).watch(request, type: type, version: rp.version, namespace: servedOpts.namespace,
                                                           name: name, table: table, includeObject: includeObject,
                                                           storage: storage.groupResource, convert: view.fromStorage)
        case ("GET", nil):
            return try endpoints.list(request, type: type, version: rp.version, namespace: servedOpts.namespace, table: table,
                                      includeObject: includeObject, storage: storage.groupResource, convert: view.fromStorage)
        case ("GET", let name?):
            guard let obj = store.withState({ $0.get(storage.groupResource, ObjectKey(namespace: servedOpts.namespace ?? "", name: name)) }) else {
                throw .notFound(type.resource, group: type.group, name: name)
            }
            if table { return .json(TablePrinter.table(for: type, objects: [out(obj)], resourceVersion: nil, includeObject: includeObject)) }
            return .json(out(obj))
        case ("POST", nil), ("PUT", _):
            var body = try ResourceEndpoints.body(request)
            if request.method == "POST", (body["metadata"]?["name"]?.stringValue ?? "").isEmpty,
               let prefix = body["metadata"]?["generateName"]?.stringValue, !prefix.isEmpty {
                body[path: ["metadata", "name"]] = .string(prefix + Names.randomSuffix(5))
            }
            let result = try store.withState { s throws(APIError) -> WriteResult in
                var warnings: [String] = []
                let checked = try s.validated(try s.checkTypeMeta(body, servedOpts), servedOpts, warnings: &warnings)
                var r = request.method == "POST"
                    ? try s.create(view.toStorage(checked), storageOpts)
                    : try s.update(name: rp.name ?? "", view.toStorage(checked), storageOpts)
                r.warnings += warnings
                return r
            }
            return endpoints.respond(WriteResult(object: view.fromStorage(result.object), warnings: result.warnings), type: type,
                                     version: rp.version, status: request.method == "POST" ? 201 : 200)
        case ("PATCH", let name?):
            let ct = (request.header("Content-Type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let patch = request.bodyJSON else { throw .badRequest("error decoding patch: invalid JSON") }
            let result = try store.withState { s throws(APIError) -> WriteResult in
                let key = ObjectKey(namespace: servedOpts.namespace ?? "", name: name)
                let stored = s.get(storage.groupResource, key)
                var warnings: [String] = []
                if ct == "application/apply-patch+yaml" {
                    guard servedOpts.fieldManager != "unknown" else {
                        throw .invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [.required("fieldManager", "is required for apply patch")])
                    }
                    var cfg = patch
                    cfg[path: ["metadata", "name"]] = .string(name)
                    guard let stored else {
                        let checked = try s.validated(try s.checkTypeMeta(cfg, servedOpts), servedOpts, warnings: &warnings)
                        var r = try s.create(view.toStorage(checked), storageOpts)
                        r.warnings += warnings
                        return r
                    }
                    let merged = ServerSideApply.merge(cfg, into: view.fromStorage(stored), schema: servedOpts.schema)
                    let checked = try s.validated(try s.checkTypeMeta(merged, servedOpts), servedOpts, warnings: &warnings)
                    var r = try s.update(name: name, view.toStorage(checked), storageOpts, operation: "Apply",
                                         appliedFields: ManagedFields.fieldSet(ClusterState.withoutIdentity(cfg), schema: servedOpts.schema))
                    r.warnings += warnings
                    return r
                }
                guard let stored else { throw .notFound(type.resource, group: type.group, name: name) }
                let current = view.fromStorage(stored)
                let patched: JSONValue
                switch ct {
                case "application/merge-patch+json": patched = current.applyingMergePatch(patch)
                case "application/json-patch+json":
                    do { patched = try current.applyingJSONPatch(patch) } catch {
                        throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                                       details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string("\(error)")]]])
                    }
                case "application/strategic-merge-patch+json": patched = try StrategicMerge.apply(patch, to: current, schema: servedOpts.schema)
                default:
                    throw .unsupportedMediaType(ct, accepted: ["application/json-patch+json", "application/merge-patch+json",
                                                               "application/strategic-merge-patch+json", "application/apply-patch+yaml"])
                }
                let checked = try s.validated(try s.checkTypeMeta(patched, servedOpts), servedOpts, warnings: &warnings)
                var r = try s.update(name: name, view.toStorage(checked), storageOpts)
                r.warnings += warnings
                return r
            }
            return endpoints.respond(WriteResult(object: view.fromStorage(result.object), warnings: result.warnings), type: type,
                                     version: rp.version, status: result.created ? 201 : 200)
        case ("DELETE", let name?):
            let del = try ResourceEndpoints.deleteOptions(request)
            let obj = try store.withState { s throws(APIError) in try s.delete(name: name, storageOpts, del) }
            return .json(out(obj))
        default:
            throw .methodNotAllowed()
        }
    }
}
