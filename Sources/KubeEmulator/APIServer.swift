import Foundation
import KubeJSON

/// Routes requests: admin API, authentication, fault injection, discovery, OpenAPI, then resources.
final class APIServer: Sendable {
    let store: Store
    let admin = AdminState()
    let serviceAccounts = ServiceAccountAccess()
    let configuration: EmulatorConfiguration
    let bearerToken: String?
    let serverAddress: String

    init(store: Store, configuration: EmulatorConfiguration, bearerToken: String?, serverAddress: String) {
        self.store = store
        self.configuration = configuration
        self.bearerToken = bearerToken
        self.serverAddress = serverAddress
    }

    static let mutatingMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let serviceAccount = serviceAccounts.subject(of: request)
        if configuration.tls, serviceAccount == nil, !authenticated(request) {
            return .error(.unauthorized())
        }
        if request.path.hasPrefix(AdminAPI.prefix) {
            guard serviceAccount == nil else { return .error(.notFoundPath()) }
            return await AdminAPI(server: self).handle(request)
        }
        let resourcePath = ResourcePath(request.path)
        let verb = Self.verb(request, resourcePath)
        if let serviceAccount, let resourcePath {
            let allowed = store.withState { RBACAuthorizer(state: $0).allows(serviceAccount, verb: verb, path: resourcePath) }
            serviceAccounts.record(.init(user: serviceAccount.userName, verb: verb, group: resourcePath.group,
                                         resource: resourcePath.subresource.map { "\(resourcePath.resource)/\($0)" } ?? resourcePath.resource,
                                         namespace: resourcePath.namespace, name: resourcePath.name), allowed: allowed)
            if !allowed { return .error(RBACAuthorizer.forbidden(serviceAccount, verb: verb, path: resourcePath)) }
        }
        let userAgent = request.header("User-Agent") ?? ""
        if let delay = admin.delay(path: request.uri, method: request.method, verb: verb, userAgent: userAgent) {
            try? await Task.sleep(for: delay)
            // The client went away while the request was held up (it timed out, as across a partition): the
            // request never reaches the storage, as one a partition kept from a real server would not.
            if Task.isCancelled {
                log(request, verb: verb, code: 0)
                return .error(APIError(code: 504, reason: "Timeout", message: "the client went away before the request was processed"))
            }
        }
        let response: EmulatorResponse
        if let fault = admin.takeFault(path: request.uri, method: request.method, verb: verb, userAgent: userAgent) {
            response = .error(AdminAPI.error(for: fault))
        } else {
            do {
                response = try route(request, resourcePath)
            } catch {
                response = .error(error)
            }
        }
        log(request, verb: verb, code: response.status)
        return response
    }

    /// Logs a mutating request once it is done, with the status answered.
    private func log(_ request: EmulatorRequest, verb: String, code: Int) {
        guard Self.mutatingMethods.contains(request.method) else { return }
        var entry = LoggedRequest(time: Timestamps.now(), verb: verb, method: request.method, path: request.path,
                                  query: request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? "",
                                  userAgent: request.header("User-Agent") ?? "", contentType: request.header("Content-Type") ?? "",
                                  body: String(decoding: request.body, as: UTF8.self))
        entry.code = code
        admin.log(entry)
    }

    func authenticated(_ request: EmulatorRequest) -> Bool {
        if request.hasClientCertificate { return true }
        if let token = bearerToken, let auth = request.header("Authorization"), auth == "Bearer \(token)" { return true }
        return false
    }

    /// The Kubernetes verb of a request (for logs and fault matching).
    static func verb(_ request: EmulatorRequest, _ path: ResourcePath?) -> String {
        let watch = path?.watchPath == true || request.query["watch"] == "true" || request.query["watch"] == "1"
        switch request.method {
        case "GET": return watch ? "watch" : (path?.name == nil ? "list" : "get")
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return path?.name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }

    func route(_ request: EmulatorRequest, _ resourcePath: ResourcePath?) throws(APIError) -> EmulatorResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        let types = store.withState { Array($0.types.values) }
        let accept = request.header("Accept")
        switch path {
        case "/version":
            return .json(EmulatorVersion.document)
        case "/healthz", "/livez", "/readyz":
            return .text("ok")
        case "/api":
            if Discovery.wantsAggregated(accept) {
                return .json(Discovery.aggregated(core: true, types), headers: [("Content-Type", Discovery.aggregatedContentType)]).withContentType(Discovery.aggregatedContentType)
            }
            return .json(Discovery.apiVersions(serverAddress: serverAddress))
        case "/apis":
            if Discovery.wantsAggregated(accept) {
                return .json(Discovery.aggregated(core: false, types)).withContentType(Discovery.aggregatedContentType)
            }
            return .json(Discovery.groupList(types))
        case "/openapi/v3":
            return .json(OpenAPI.root(types))
        case "/openapi/v2":
            throw .notFoundPath()
        default:
            break
        }
        if path.hasPrefix("/openapi/v3/") {
            let key = String(path.dropFirst("/openapi/v3/".count))
            let parts = key.split(separator: "/").map(String.init)
            let doc: JSONValue?
            switch (parts.first, parts.count) {
            case ("api", 2): doc = OpenAPI.document(group: "", version: parts[1], types)
            case ("apis", 3): doc = OpenAPI.document(group: parts[1], version: parts[2], types)
            default: doc = nil
            }
            guard let doc else { throw .notFoundPath() }
            return .json(doc)
        }
        let segs = path.split(separator: "/").map(String.init)
        if request.method == "GET" {
            if segs.count == 2, segs[0] == "api", let list = Discovery.resourceList(group: "", version: segs[1], types) {
                return .json(list)
            }
            if segs.count == 2, segs[0] == "apis", let g = Discovery.group(segs[1], types) {
                return .json(g)
            }
            if segs.count == 3, segs[0] == "apis", let list = Discovery.resourceList(group: segs[1], version: segs[2], types) {
                return .json(list)
            }
        }
        guard let rp = resourcePath else { throw .notFoundPath() }
        return try ResourceEndpoints(server: self).handle(request, rp)
    }
}

extension EmulatorResponse {
    func withContentType(_ ct: String) -> EmulatorResponse {
        guard case .full(let status, var headers, let body) = self else { return self }
        headers.removeAll { $0.0.lowercased() == "content-type" }
        headers.append(("Content-Type", ct))
        return .full(status: status, headers: headers, body: body)
    }
}
