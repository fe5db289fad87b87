import Foundation
import KubeJSON

/// The API's `Status` object (`kind: Status`, `apiVersion: v1`): the body of every error response and of
/// watch ERROR events.
public struct Status: Codable, Sendable, Equatable, CustomStringConvertible {
    public var kind: String?
    public var apiVersion: String?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone`, …
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code.
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, details: StatusDetails? = nil,
                code: Int? = nil) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    public var description: String {
        var parts: [String] = []
        if let code { parts.append(String(code)) }
        if let reason, !reason.isEmpty { parts.append(reason) }
        if let message, !message.isEmpty { parts.append(message) }
        return parts.joined(separator: " ")
    }
}

/// `Status.details`: which object, the causes of an `Invalid`, and how long to wait before retrying.
public struct StatusDetails: Codable, Sendable, Equatable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [StatusCause]? = nil,
                retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One cause of a failure, e.g. `{field: "spec.replicas", reason: "FieldValueInvalid", message: "..."}`.
public struct StatusCause: Codable, Sendable, Equatable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
