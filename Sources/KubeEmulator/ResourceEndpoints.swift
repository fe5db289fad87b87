import Foundation
import KubeJSON

/// The resource verbs: get, list, watch, create, update, patch, delete, deletecollection, and the
/// `status` and `scale` subresources.
struct ResourceEndpoints {
    let server: APIServer
    var store: Store { server.store }

    func handle(_ request: EmulatorRequest, _ rp: ResourcePath) throws(APIError) -> EmulatorResponse {
        guard let type = store.withState({ $0.type(group: rp.group, resource: rp.resource) }), type.versions.contains(rp.version) else {
            throw .notFoundPath()
        }
        if rp.namespace != nil, !type.namespaced { throw .notFoundPath() }
        if let sub = rp.subresource {
            guard (sub == "status" && type.hasStatus) || (sub == "scale" && type.scale != nil) else { throw .notFoundPath() }
        }
        let wantsTable = TablePrinter.wantsTable(request.header("Accept"))
        let isWatch = rp.watchPath || request.query["watch"] == "true" || request.query["watch"] == "1"
        var opts = WriteOptions(type: type, version: rp.version, namespace: type.namespaced ? rp.namespace : nil, subresource: rp.subresource)
        opts.fieldValidation = request.query["fieldValidation"].flatMap { $0.isEmpty ? nil : $0 } ?? "Warn"
        if !["Strict", "Warn", "Ignore"].contains(opts.fieldValidation) {
            throw .badRequest("fieldValidation: Unsupported value: \"\(opts.fieldValidation)\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        opts.fieldManager = request.query["fieldManager"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (request.method == "PATCH" && request.header("Content-Type")?.hasPrefix("application/apply-patch") == true ? "unknown"
                : Self.defaultManager(request.header("User-Agent")))
        opts.force = request.query["force"] == "true"
        opts.dryRun = request.query["dryRun"] == "All"
        let includeObject = request.query["includeObject"] ?? "Metadata"
        if type.isReview {
            guard request.method == "POST", rp.name == nil else { throw .methodNotAllowed() }
            return .json(Reviews.answer(try Self.body(request), type: type, version: rp.version, tls: server.configuration.tls), status: 201)
        }
        if let view = store.withState({ StorageView.view(for: type, types: $0.types) }) {
            return try ViewEndpoints(server: server).handle(request, rp, type: type, view: view, served: opts, table: wantsTable,
                                                            watch: isWatch, includeObject: includeObject)
        }

        switch (request.method, rp.name) {
        case ("GET", nil) where isWatch:
            return try WatchEndpoint(server: server).watch(request, type: type, version: rp.version, namespace: opts.namespace,
                                                           name: nil, table: wantsTable, includeObject: includeObject)
        case ("GET", let name?) where isWatch:
            return try WatchEndpoint(server: server).watch(request, type: type, version: rp.version, namespace: opts.namespace,
                                                           name: name, table: wantsTable, includeObject: includeObject)
        case ("GET", nil):
            return try list(request, type: type, version: rp.version, namespace: opts.namespace, table: wantsTable, includeObject: includeObject)
        case ("GET", let name?):
            let key = ObjectKey(namespace: opts.namespace ?? "", name: name)
            guard let obj = store.withState({ $0.get(type.groupResource, key) }) else {
                throw .notFound(type.resource, group: type.group, name: name)
            }
            if rp.subresource == "scale" { return .json(try Scale.read(obj, type: type)) }
            let served = Self.served(obj, type: type, version: rp.version)
            if wantsTable, rp.subresource == nil {
                return .json(TablePrinter.table(for: type, objects: [served], resourceVersion: nil, includeObject: includeObject))
            }
            return .json(served)
        case ("POST", nil):
            guard rp.subresource == nil else { throw .methodNotAllowed() }
            let body = try Self.body(request)
            if let rv = body["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty {
                throw .internalError("resourceVersion should not be set on objects to be created")
            }
            let result = try store.withState { s throws(APIError) in try s.create(body, opts) }
            return respond(result, type: type, version: rp.version, status: 201)
        case ("PUT", let name?):
            let body = try Self.body(request)
            if rp.subresource == "scale" {
                let result = try store.withState { s throws(APIError) in try s.scale(name: name, body, opts) }
                return respond(result, type: type, version: rp.version, status: 200, raw: true)
            }
            let result = try store.withState { s throws(APIError) in try s.update(name: name, body, opts) }
            return respond(result, type: type, version: rp.version, status: 200)
        case ("PATCH", let name?):
            let ct = request.header("Content-Type") ?? ""
            let result = try store.withState { s throws(APIError) in try s.patch(name: name, contentType: ct, request.body, opts) }
            return respond(result, type: type, version: rp.version, status: result.created ? 201 : 200, raw: rp.subresource == "scale")
        case ("DELETE", let name?):
            guard rp.subresource == nil else { throw .methodNotAllowed() }
            let del = try Self.deleteOptions(request)
            let (obj, gone) = try store.withState { s throws(APIError) in
                let o = try s.delete(name: name, opts, del)
                return (o, s.get(type.groupResource, ObjectKey(namespace: opts.namespace ?? "", name: name)) == nil)
            }
            // 202 only for the legacy orphanDependents=false, like the real handler; 200 otherwise.
            let status = !gone && !del.dryRun && request.query["orphanDependents"] == "false" ? 202 : 200
            if gone, !type.returnsDeletedObject {
                var details: JSONValue = ["name": .string(name), "kind": .string(type.resource),
                                          "uid": obj["metadata"]?["uid"] ?? ""]
                if !type.group.isEmpty { details["group"] = .string(type.group) }
                return .json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details], status: status)
            }
            return .json(Self.served(obj, type: type, version: rp.version), status: status)
        case ("DELETE", nil):
            let del = try Self.deleteOptions(request)
            let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
            let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
            let deleted = try store.withState { s throws(APIError) -> [JSONValue] in
                let targets = s.list(type.groupResource, namespace: opts.namespace).filter { labels.matches(object: $0) && fields.matches(object: $0) }
                var out: [JSONValue] = []
                for t in targets {
                    var o = opts
                    o.namespace = t["metadata"]?["namespace"]?.stringValue
                    out.append(try s.delete(name: t["metadata"]?["name"]?.stringValue ?? "", o, del))
                }
                return out
            }
            return .json(["kind": .string(type.listKind), "apiVersion": .string(type.apiVersion(rp.version)), "metadata": [:],
                          "items": .array(deleted.map { Self.served($0, type: type, version: rp.version) })])
        default:
            throw .methodNotAllowed()
        }
    }

    func respond(_ result: WriteResult, type: ResourceType, version: String, status: Int, raw: Bool = false) -> EmulatorResponse {
        let headers = result.warnings.map { ("Warning", "299 - \"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"") }
        return .json(raw ? result.object : Self.served(result.object, type: type, version: version), status: status, headers: headers)
    }

    func list(_ request: EmulatorRequest, type: ResourceType, version: String, namespace: String?, table: Bool,
              includeObject: String, storage: GroupResource? = nil,
              convert: @Sendable (JSONValue) -> JSONValue = { $0 }) throws(APIError) -> EmulatorResponse {
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
        let limit = Int(request.query["limit"] ?? "") ?? 0
        var start: ObjectKey?
        var tokenRV: Int?
        if let token = request.query["continue"], !token.isEmpty {
            guard let data = Data(base64Encoded: token), let t = try? JSONValue(parsing: data),
                  let ns = t["ns"]?.stringValue, let name = t["name"]?.stringValue else {
                throw .badRequest("continue key is not valid: illegal base64 data")
            }
            start = ObjectKey(namespace: ns, name: name)
            tokenRV = t["rv"]?.intValue
        }
        let requestedRV = Int(request.query["resourceVersion"] ?? "")
        let (all, rv) = try store.withState { s throws(APIError) -> ([JSONValue], Int) in
            if let requestedRV, requestedRV > s.resourceVersion {
                throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(requestedRV), current: \(s.resourceVersion)",
                               details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1])
            }
            if let tokenRV, tokenRV < s.hub.compactedThrough {
                throw APIError(code: 410, reason: "Expired",
                               message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            return (s.list(storage ?? type.groupResource, namespace: namespace).map(convert), s.resourceVersion)
        }
        var items = all.filter { labels.matches(object: $0) && fields.matches(object: $0) }
        if let start {
            items = items.filter {
                ObjectKey(namespace: $0["metadata"]?["namespace"]?.stringValue ?? "", name: $0["metadata"]?["name"]?.stringValue ?? "") > start
            }
        }
        var continueToken: String?
        var remaining: Int?
        if limit > 0, items.count > limit {
            remaining = items.count - limit
            items = Array(items.prefix(limit))
            let last = items[items.count - 1]["metadata"] ?? [:]
            let token: JSONValue = ["rv": .number(Double(rv)), "ns": last["namespace"] ?? "", "name": last["name"] ?? ""]
            continueToken = (try? token.data(sortedKeys: true))?.base64EncodedString()
        }
        let served = items.map { Self.served($0, type: type, version: version) }
        if table {
            return .json(TablePrinter.table(for: type, objects: served, resourceVersion: String(rv), continueToken: continueToken,
                                            includeObject: includeObject))
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(rv))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        if let remaining { metadata["remainingItemCount"] = .number(Double(remaining)) }
        return .json(["kind": .string(type.listKind), "apiVersion": .string(type.apiVersion(version)), "metadata": metadata,
                      "items": .array(served)])
    }

    /// The object as served at `version` (custom resources share storage across versions; no conversion).
    static func served(_ obj: JSONValue, type: ResourceType, version: String) -> JSONValue {
        var o = obj
        if o["apiVersion"] != nil || o["kind"] != nil {
            o["apiVersion"] = .string(type.apiVersion(version))
        }
        return o
    }

    static func body(_ request: EmulatorRequest) throws(APIError) -> JSONValue {
        guard !request.body.isEmpty else { throw .badRequest("the body of the request is empty") }
        let contentType = request.header("Content-Type") ?? ""
        if contentType.contains("protobuf") {
            guard let decoded = ProtobufDecoder.decode(request.body) else {
                throw .unsupportedMediaType(contentType, accepted: ["application/json", "application/yaml"])
            }
            return decoded
        }
        if contentType.contains("cbor") {
            throw .unsupportedMediaType(contentType, accepted: ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"])
        }
        guard let v = request.bodyJSON else {
            let ct = request.header("Content-Type") ?? ""
            if ct.contains("yaml") {
                throw .unsupportedMediaType(ct, accepted: ["application/json"])
            }
            throw .badRequest("the body of the request was in an unknown format: invalid JSON")
        }
        return v
    }

    static func defaultManager(_ userAgent: String?) -> String {
        guard let ua = userAgent, !ua.isEmpty else { return "unknown" }
        return String(ua.split(separator: "/").first ?? "unknown")
    }

    static func deleteOptions(_ request: EmulatorRequest) throws(APIError) -> DeleteOptions {
        var d = DeleteOptions()
        let body = request.body.isEmpty ? nil : request.bodyJSON
        let policy = request.query["propagationPolicy"] ?? body?["propagationPolicy"]?.stringValue
        if let policy {
            guard let p = DeleteOptions.Propagation(rawValue: policy) else {
                throw .badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
            }
            d.propagation = p
        }
        let orphan = request.query["orphanDependents"] ?? body?["orphanDependents"].map { $0.boolValue == true ? "true" : "false" }
        if d.propagation == nil, orphan == "true" { d.propagation = .orphan }
        d.preconditionUID = body?["preconditions"]?["uid"]?.stringValue
        d.preconditionResourceVersion = body?["preconditions"]?["resourceVersion"]?.stringValue
        d.dryRun = request.query["dryRun"] == "All" || (body?["dryRun"]?.arrayValue?.contains("All") ?? false)
        return d
    }
}
