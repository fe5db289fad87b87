import Foundation
import KubeJSON

/// A failed API call, decoded from the server's `Status` body. Each case keeps the whole ``Status``
/// (reason, message, details, causes).
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 404: the object (or the resource type, or the namespace) does not exist.
    case notFound(Status)
    /// 409 `AlreadyExists`: create of a name that is taken.
    case alreadyExists(Status)
    /// 409 `Conflict`: the resourceVersion was stale (re-read and retry), or an apply conflict.
    case conflict(Status)
    /// 410 `Expired`/`Gone`: the resourceVersion a watch or list continued from is too old; re-list.
    case gone(Status)
    /// 422 `Invalid`: validation failed; ``causes`` says which fields.
    case invalid(Status)
    /// 403.
    case forbidden(Status)
    /// 401: no or wrong credentials.
    case unauthorized(Status)
    /// 429: slow down; wait `retryAfter` (from `Retry-After` or `details.retryAfterSeconds`).
    case tooManyRequests(Status, retryAfter: Duration?)
    /// 400 and other 4xx the cases above do not name (`status.code` says which).
    case badRequest(Status)
    /// 504, 408 or reason `Timeout`/`ServerTimeout`, or no answer within the client's request timeout.
    case timeout(Status)
    /// 5xx other than 504.
    case serverError(code: Int, Status)
    /// The request never got an HTTP answer (connection refused, TLS failure, reset).
    case transport(String)
    /// The answer could not be decoded as the expected type.
    case decoding(String)

    /// The Status of an API error (nil for transport and decoding failures).
    public var status: Status? {
        switch self {
        case .notFound(let s), .alreadyExists(let s), .conflict(let s), .gone(let s), .invalid(let s), .forbidden(let s),
             .unauthorized(let s), .tooManyRequests(let s, _), .badRequest(let s), .timeout(let s), .serverError(_, let s):
            s
        case .transport, .decoding:
            nil
        }
    }

    public var reason: String? { status?.reason }
    public var message: String? { status?.message }
    public var code: Int? { status?.code }
    /// The field errors of an ``invalid(_:)`` (or any Status with causes).
    public var causes: [StatusCause] { status?.details?.causes ?? [] }

    /// Whether the same request may succeed later unchanged.
    public var isRetryable: Bool {
        switch self {
        case .tooManyRequests, .timeout, .transport: true
        case .serverError(let code, _): code == 503 || code == 500
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notFound(let s): "not found: \(s)"
        case .alreadyExists(let s): "already exists: \(s)"
        case .conflict(let s): "conflict: \(s)"
        case .gone(let s): "gone: \(s)"
        case .invalid(let s):
            "invalid: \(s)" + (s.details?.causes.map { cs in
                " [" + cs.map { "\($0.field ?? ""): \($0.message ?? $0.reason ?? "")" }.joined(separator: "; ") + "]"
            } ?? "")
        case .forbidden(let s): "forbidden: \(s)"
        case .unauthorized(let s): "unauthorized: \(s)"
        case .tooManyRequests(let s, let after): "too many requests (retry after \(after.map { "\($0)" } ?? "?")): \(s)"
        case .badRequest(let s): "bad request: \(s)"
        case .timeout(let s): "timeout: \(s)"
        case .serverError(let code, let s): "server error \(code): \(s)"
        case .transport(let d): "transport: \(d)"
        case .decoding(let d): "decoding: \(d)"
        }
    }

    /// The error for a non-2xx response: its body as a Status when it is one, else a Status made from the text.
    public static func from(code: Int, headers: [String: String] = [:], body: Data) -> KubeError {
        var status: Status
        if let decoded = try? JSONDecoder().decode(Status.self, from: body), decoded.kind == "Status" {
            status = decoded
        } else {
            let text = String(decoding: body.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            status = Status(message: text.isEmpty ? HTTPStatusText.text(code) : text)
        }
        if status.code == nil || status.code == 0 { status.code = code }
        return from(status: status, code: code, retryAfterHeader: headers["retry-after"])
    }

    /// The error a Status describes (also for watch ERROR events, whose HTTP status was 200).
    public static func from(status: Status, code: Int? = nil, retryAfterHeader: String? = nil) -> KubeError {
        let code = code ?? status.code ?? 500
        let reason = status.reason ?? ""
        switch code {
        case 404: return .notFound(status)
        case 409: return reason == "AlreadyExists" ? .alreadyExists(status) : .conflict(status)
        case 410: return .gone(status)
        case 422: return .invalid(status)
        case 403: return .forbidden(status)
        case 401: return .unauthorized(status)
        case 429:
            let seconds = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? status.details?.retryAfterSeconds
            return .tooManyRequests(status, retryAfter: seconds.map { .seconds(max(0, $0)) })
        case 408, 504: return .timeout(status)
        default:
            if reason == "Timeout" || reason == "ServerTimeout" { return .timeout(status) }
            if reason == "Expired" || reason == "Gone" { return .gone(status) }
            if (400..<500).contains(code) { return .badRequest(status) }
            return .serverError(code: code, status)
        }
    }
}

enum HTTPStatusText {
    static func text(_ code: Int) -> String {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP \(code)"
        }
    }
}
