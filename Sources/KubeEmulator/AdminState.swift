import Foundation
import KubeJSON
import Synchronization

/// An injected failure: the next `remaining` requests matching `pathContains` and `verb` get `code`.
public struct Fault: Sendable, Equatable {
    public var pathContains: String?
    /// Only requests whose User-Agent contains this (nil for any): one client cut off, the others not.
    public var userAgentContains: String? = nil
    /// Upper case: an HTTP method (GET, POST, PUT, PATCH, DELETE); lower case: a Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection); nil for any.
    public var verb: String?
    public var code: Int
    public var remaining: Int
    public var retryAfterSeconds: Int
    public var message: String?
}

/// Added latency for matching requests.
public struct LatencyRule: Sendable, Equatable {
    public var pathContains: String?
    public var verb: String?
    public var delay: Duration
    /// Only requests whose User-Agent contains this (nil for any): a partitioned client.
    public var userAgentContains: String? = nil
}

/// One logged mutating request.
public struct LoggedRequest: Sendable, Equatable {
    public var time: String
    public var verb: String
    public var method: String
    public var path: String
    public var query: String
    public var userAgent: String
    public var contentType: String
    public var body: String
    /// The HTTP status answered; 0 when the client went away during injected latency and the request was never
    /// processed (as a request a partition kept from the server). Logged when the request is done, so the log is in
    /// the order the server applied the requests.
    public var code: Int = 0

    var json: JSONValue {
        var bodyValue: JSONValue = .string(body)
        if let parsed = try? JSONValue(parsing: body) { bodyValue = parsed }
        return ["time": .string(time), "verb": .string(verb), "method": .string(method), "path": .string(path),
                "query": .string(query), "userAgent": .string(userAgent), "contentType": .string(contentType), "body": bodyValue,
                "code": .number(Double(code))]
    }
}

/// Fault injection, latency and the request log: state of the admin API.
final class AdminState: Sendable {
    private struct State {
        var faults: [Fault] = []
        var latency: [LatencyRule] = []
        var log: [LoggedRequest] = []
    }
    private let state = Mutex(State())

    func addFault(_ f: Fault) { state.withLock { $0.faults.append(f) } }
    func addLatency(_ l: LatencyRule) { state.withLock { $0.latency.append(l) } }
    func clearFaults() { state.withLock { $0.faults.removeAll(); $0.latency.removeAll() } }
    func faults() -> [Fault] { state.withLock { $0.faults } }

    static func matches(path: String, method: String, verb: String, pathContains: String?, ruleVerb: String?,
                        userAgent: String = "", userAgentContains: String? = nil) -> Bool {
        if let p = pathContains, !p.isEmpty, !path.contains(p) { return false }
        if let u = userAgentContains, !u.isEmpty, !userAgent.contains(u) { return false }
        if let v = ruleVerb, !v.isEmpty {
            // Upper case names an HTTP method (GET, PATCH), lower case a Kubernetes verb (get, list, watch, patch).
            if v == v.uppercased() ? v != method.uppercased() : v != verb { return false }
        }
        return true
    }

    /// Takes one use of the first matching fault.
    func takeFault(path: String, method: String, verb: String, userAgent: String) -> Fault? {
        state.withLock { s in
            guard let i = s.faults.firstIndex(where: {
                Self.matches(path: path, method: method, verb: verb, pathContains: $0.pathContains, ruleVerb: $0.verb,
                             userAgent: userAgent, userAgentContains: $0.userAgentContains)
            }) else { return nil }
            let f = s.faults[i]
            s.faults[i].remaining -= 1
            if s.faults[i].remaining <= 0 { s.faults.remove(at: i) }
            return f
        }
    }

    func delay(path: String, method: String, verb: String, userAgent: String) -> Duration? {
        state.withLock { s in
            s.latency.first {
                Self.matches(path: path, method: method, verb: verb, pathContains: $0.pathContains, ruleVerb: $0.verb,
                             userAgent: userAgent, userAgentContains: $0.userAgentContains)
            }?.delay
        }
    }

    func log(_ r: LoggedRequest) { state.withLock { $0.log.append(r) } }
    func requests() -> [LoggedRequest] { state.withLock { $0.log } }
    func clearLog() { state.withLock { $0.log.removeAll() } }
}
