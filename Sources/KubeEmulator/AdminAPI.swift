import Foundation
import KubeJSON

/// The emulator's own control API under `/emulator.fledge.dev/` (a path no real client uses).
///
/// - `POST /emulator.fledge.dev/faults` `{"path": "/deployments", "verb": "PATCH", "code": 503, "count": 2, "retryAfterSeconds": 1}`;
///   `GET` lists, `DELETE` clears (faults and latency). `"userAgent": "fledge/a"` limits a fault to clients
///   whose User-Agent contains it.
/// - `POST /emulator.fledge.dev/latency` `{"path": "...", "verb": "GET", "milliseconds": 200, "userAgent": "fledge/a"}`
///   (every field but `milliseconds` optional): a partition of one client is `{"userAgent": …, "milliseconds": 60000}`.
///   A request whose client goes away during the delay is never processed (logged with code 0).
/// - `POST /emulator.fledge.dev/drop-watches`: ends every open watch.
/// - `GET /emulator.fledge.dev/watches`: how many watches are open, by resource and namespace.
/// - `POST /emulator.fledge.dev/expire-watch-window`: watches from any current or older resourceVersion get 410.
/// - `GET /emulator.fledge.dev/requests`: the log of mutating requests, in the order they were done, each with the
///   status code answered; `DELETE` clears it.
/// - `POST /emulator.fledge.dev/tokens` `{"namespace": "fledge-system", "serviceAccount": "fledge-controller"}`: a
///   bearer token for that service account; requests with it are authorized by RBAC (``RBACAuthorizer``).
/// - `GET /emulator.fledge.dev/rbac`: `denied` (every request RBAC refused) and `allowed` (the distinct verbs on
///   each resource it let through), per service account; `DELETE` clears both.
struct AdminAPI {
    static let prefix = "/emulator.fledge.dev/"
    let server: APIServer

    func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let action = String(request.path.dropFirst(Self.prefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let body = request.bodyJSON ?? [:]
        switch (request.method, action) {
        case ("POST", "faults"):
            let code = body["code"]?.intValue ?? 500
            guard [409, 429, 500, 503, 504, 404, 410, 403, 401].contains(code) else {
                return .error(.badRequest("unsupported fault code \(code)"))
            }
            server.admin.addFault(Fault(pathContains: body["path"]?.stringValue, userAgentContains: body["userAgent"]?.stringValue,
                                        verb: body["verb"]?.stringValue, code: code,
                                        remaining: body["count"]?.intValue ?? 1, retryAfterSeconds: body["retryAfterSeconds"]?.intValue ?? 1,
                                        message: body["message"]?.stringValue))
            return .json(["ok": true], status: 201)
        case ("GET", "faults"):
            return .json(["items": .array(server.admin.faults().map { f in
                ["path": f.pathContains.map { .string($0) } ?? .null, "verb": f.verb.map { .string($0) } ?? .null,
                 "code": .number(Double(f.code)), "count": .number(Double(f.remaining))]
            })])
        case ("DELETE", "faults"), ("DELETE", "latency"):
            server.admin.clearFaults()
            return .json(["ok": true])
        case ("POST", "latency"):
            let ms = body["milliseconds"]?.intValue ?? 0
            server.admin.addLatency(LatencyRule(pathContains: body["path"]?.stringValue, verb: body["verb"]?.stringValue, delay: .milliseconds(ms),
                                                userAgentContains: body["userAgent"]?.stringValue))
            return .json(["ok": true], status: 201)
        case ("POST", "drop-watches"):
            let n = server.store.withState { $0.hub.dropAll() }
            return .json(["dropped": .number(Double(n))])
        case ("GET", "watches"):
            let (count, summary) = server.store.withState { s in (s.hub.watcherCount, s.hub.watcherSummary) }
            return .json(["count": .number(Double(count)), "items": .array(summary.map { entry in
                ["group": .string(entry.groupResource.group), "resource": .string(entry.groupResource.resource),
                 "namespace": entry.namespace.map { .string($0) } ?? .null, "count": .number(Double(entry.count))]
            })])
        case ("POST", "expire-watch-window"):
            let rv = server.store.withState { s in
                s.hub.compact(through: s.resourceVersion)
                return s.resourceVersion
            }
            return .json(["compactedThrough": .string(String(rv))])
        case ("GET", "requests"):
            return .json(["items": .array(server.admin.requests().map(\.json))])
        case ("DELETE", "requests"):
            server.admin.clearLog()
            return .json(["ok": true])
        case ("POST", "tokens"):
            guard let namespace = body["namespace"]?.stringValue, let name = body["serviceAccount"]?.stringValue else {
                return .error(.badRequest("a token needs \"namespace\" and \"serviceAccount\""))
            }
            let subject = ServiceAccountSubject(namespace: namespace, name: name)
            return .json(["token": .string(server.serviceAccounts.issueToken(for: subject)), "user": .string(subject.userName)], status: 201)
        case ("GET", "rbac"):
            return .json(["denied": .array(server.serviceAccounts.denials().map(\.json)),
                          "allowed": .array(server.serviceAccounts.allowedVerbs().map(\.json))])
        case ("DELETE", "rbac"):
            server.serviceAccounts.clear()
            return .json(["ok": true])
        case ("GET", "healthz"):
            return .text("ok")
        default:
            return .error(.notFoundPath())
        }
    }

    /// The Status a fault answers with, like the real server's for that code.
    ///
    /// 429 and 503 carry `Retry-After` (and `details.retryAfterSeconds`) of at least 1 second: the real server's
    /// priority-and-fairness answers 429 with `Retry-After: 1`, and clients treat 0 as "retry at once".
    static func error(for fault: Fault) -> APIError {
        let retryAfter = max(1, fault.retryAfterSeconds)
        var e: APIError
        switch fault.code {
        case 409:
            e = APIError(code: 409, reason: "Conflict", message: fault.message ?? "Operation cannot be fulfilled on the object: the object has been modified; please apply your changes to the latest version and try again (injected)")
        case 429:
            e = APIError(code: 429, reason: "TooManyRequests", message: fault.message ?? "the server has received too many requests and has asked us to try again later (injected)",
                         details: ["retryAfterSeconds": .number(Double(retryAfter))])
            e.headers = [("Retry-After", String(retryAfter))]
        case 503:
            e = APIError(code: 503, reason: "ServiceUnavailable", message: fault.message ?? "the server is currently unable to handle the request (injected)",
                         details: ["retryAfterSeconds": .number(Double(retryAfter))])
            e.headers = [("Retry-After", String(retryAfter))]
        case 504:
            e = APIError(code: 504, reason: "Timeout", message: fault.message ?? "the server was unable to return a response in the time allotted (injected)")
        case 404:
            e = APIError(code: 404, reason: "NotFound", message: fault.message ?? "the server could not find the requested resource (injected)")
        case 410:
            e = APIError(code: 410, reason: "Expired", message: fault.message ?? "too old resource version (injected)")
        case 403:
            e = APIError(code: 403, reason: "Forbidden", message: fault.message ?? "forbidden (injected)")
        case 401:
            e = .unauthorized()
        default:
            e = APIError(code: fault.code, reason: "InternalError", message: fault.message ?? "Internal error occurred: injected fault",
                         details: ["causes": [["message": "injected fault"]]])
        }
        return e
    }
}
