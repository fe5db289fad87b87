import KubeJSON

/// A failed API request, rendered as a `Status` object like the real kube-apiserver's.
public struct APIError: Error, Sendable, Equatable {
    /// HTTP status code.
    public var code: Int
    /// `Status.reason`, e.g. `NotFound`, `Conflict`, `Invalid`.
    public var reason: String
    /// Human-readable message.
    public var message: String
    /// `Status.details`, if any.
    public var details: JSONValue?
    /// Extra response headers (e.g. `Retry-After`).
    public var headers: [(String, String)] = []

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public static func == (a: APIError, b: APIError) -> Bool {
        a.code == b.code && a.reason == b.reason && a.message == b.message && a.details == b.details
    }

    /// The `Status` object for this error.
    public var status: JSONValue {
        var s: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:],
            "status": "Failure", "message": .string(message), "reason": .string(reason),
            "code": .number(Double(code)),
        ]
        if let details { s["details"] = details }
        if reason.isEmpty { s["reason"] = nil }
        return s
    }

    static func details(name: String?, group: String, kind: String, causes: [JSONValue]? = nil, retryAfter: Int? = nil) -> JSONValue {
        var d: JSONValue = ["kind": .string(kind)]
        if let name { d["name"] = .string(name) }
        if !group.isEmpty { d["group"] = .string(group) }
        if let causes { d["causes"] = .array(causes) }
        if let retryAfter { d["retryAfterSeconds"] = .number(Double(retryAfter)) }
        return d
    }

    /// `resource.group` as the real server qualifies resources in messages (`rollouts.fledge.dev`, `configmaps`).
    static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }

    static func notFound(_ resource: String, group: String, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(qualified(resource, group)) \"\(name)\" not found",
                 details: details(name: name, group: group, kind: resource))
    }

    static func alreadyExists(_ resource: String, group: String, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(qualified(resource, group)) \"\(name)\" already exists",
                 details: details(name: name, group: group, kind: resource))
    }

    static func conflict(_ resource: String, group: String, name: String, message: String? = nil) -> APIError {
        let m = message ?? "the object has been modified; please apply your changes to the latest version and try again"
        return APIError(code: 409, reason: "Conflict",
                        message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": \(m)",
                        details: details(name: name, group: group, kind: resource))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed() -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    static func notFoundPath() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "))
    }

    static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 details: ["causes": [["message": .string(message)]]])
    }

    /// 422 Invalid, with the message shaped like the real server's:
    /// `Rollout.fledge.dev "x" is invalid: spec.replicas: Invalid value: -1: ...`.
    static func invalid(kind: String, group: String, name: String, causes: [FieldError]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let summary: String
        if causes.count == 1 {
            summary = causes[0].description
        } else {
            summary = "[" + causes.map(\.description).joined(separator: ", ") + "]"
        }
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(summary)",
                        details: details(name: name, group: group, kind: kind, causes: causes.map(\.cause)))
    }
}

/// One field validation error, like `field.Error` in the real server.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`, `FieldValueTooLong`, `FieldValueTooMany`, `FieldValueForbidden`, `FieldValueDuplicate`.
    public var reason: String
    /// Dotted field path, e.g. `spec.replicas` or `spec.steps[0].weight`.
    public var field: String
    /// The detail after the standard prefix.
    public var detail: String
    /// The offending value, when the message shows it.
    public var value: JSONValue?
    /// The value exactly as the message shows it, when it is not JSON (`0x0`).
    public var valueText: String?

    public init(reason: String, field: String, detail: String, value: JSONValue? = nil) {
        self.reason = reason
        self.field = field
        self.detail = detail
        self.value = value
    }

    static func required(_ field: String, _ detail: String = "Required value") -> FieldError {
        FieldError(reason: "FieldValueRequired", field: field, detail: detail)
    }

    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(reason: "FieldValueInvalid", field: field, detail: detail, value: value)
    }

    /// The message part after the field, like `Invalid value: -1: must be ...`.
    public var body: String {
        switch reason {
        case "FieldValueRequired": return "Required value" + (detail == "Required value" || detail.isEmpty ? "" : ": \(detail)")
        case "FieldValueInvalid": return "Invalid value: \(valueText ?? FieldError.render(value ?? .null)): \(detail)"
        case "FieldValueNotSupported": return "Unsupported value: \(FieldError.render(value ?? .null)): \(detail)"
        case "FieldValueTypeInvalid": return "Invalid value: \"\(FieldError.plain(value ?? .null))\": \(detail)"
        case "FieldValueTooLong": return "Too long: \(detail)"
        case "FieldValueTooMany": return "Too many: \(detail)"
        case "FieldValueForbidden": return "Forbidden: \(detail)"
        case "FieldValueDuplicate": return "Duplicate value: \(FieldError.render(value ?? .null))"
        default: return detail
        }
    }

    public var description: String { "\(field): \(body)" }

    var cause: JSONValue {
        ["reason": .string(reason), "message": .string(body), "field": .string(field)]
    }

    static func render(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .number: return v.jsonString
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    static func plain(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .object: return "object"
        case .array: return "array"
        default: return v.jsonString
        }
    }
}
