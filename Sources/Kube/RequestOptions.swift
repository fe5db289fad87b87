import Foundation
import KubeJSON

/// Options of a list request.
public struct ListOptions: Sendable, Equatable {
    /// e.g. `app=web,track in (stable,canary)`.
    public var labelSelector: String?
    /// e.g. `metadata.name=web`.
    public var fieldSelector: String?
    /// Page size; the server returns a `continue` token when there is more.
    public var limit: Int?
    /// The token from the previous page's `metadata.continue`.
    public var continueToken: String?
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact` (with `resourceVersion`).
    public var resourceVersionMatch: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, resourceVersionMatch: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }

    var queryItems: [Request.QueryItem] {
        var q: [Request.QueryItem] = []
        if let labelSelector, !labelSelector.isEmpty { q.append(.init("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(.init("fieldSelector", fieldSelector)) }
        if let limit { q.append(.init("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { q.append(.init("continue", continueToken)) }
        if let resourceVersion { q.append(.init("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(.init("resourceVersionMatch", resourceVersionMatch)) }
        return q
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version (usually the list's `metadata.resourceVersion` or the last event's).
    /// Nil or "0": the server first sends the current objects as ADDED events.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events carrying a newer resourceVersion (so a restart resumes close to now).
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this long (clients then resume from the last resourceVersion).
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 290) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [Request.QueryItem] {
        var q: [Request.QueryItem] = [.init("watch", "1")]
        if let labelSelector, !labelSelector.isEmpty { q.append(.init("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(.init("fieldSelector", fieldSelector)) }
        if let resourceVersion { q.append(.init("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { q.append(.init("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { q.append(.init("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// Options of create, update and patch.
public struct WriteOptions: Sendable, Equatable {
    /// Who owns the fields written (required for server-side apply).
    public var fieldManager: String?
    /// Server-side apply only: take ownership of fields other managers own instead of failing with a conflict.
    public var force: Bool
    /// Validate and admit, but persist nothing.
    public var dryRun: Bool
    /// `Strict`, `Warn` or `Ignore` for unknown and duplicate fields.
    public var fieldValidation: String?

    public init(fieldManager: String? = nil, force: Bool = false, dryRun: Bool = false, fieldValidation: String? = nil) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
    }

    func queryItems(apply: Bool) -> [Request.QueryItem] {
        var q: [Request.QueryItem] = []
        if dryRun { q.append(.init("dryRun", "All")) }
        if let fieldManager, !fieldManager.isEmpty { q.append(.init("fieldManager", fieldManager)) }
        if apply, force { q.append(.init("force", "true")) }
        if let fieldValidation { q.append(.init("fieldValidation", fieldValidation)) }
        return q
    }
}

/// A patch, one of the four kinds the API server accepts.
public enum Patch: Sendable, Equatable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge, `null` deletes, lists are replaced.
    case merge(JSONValue)
    /// RFC 6902 JSON patch (`application/json-patch+json`): a list of operations.
    case json([JSONValue])
    /// Strategic merge patch (`application/strategic-merge-patch+json`): built-in kinds only; lists merge by key.
    case strategicMerge(JSONValue)
    /// Server-side apply (`application/apply-patch+yaml`): the full intent of one field manager.
    case apply(JSONValue)

    public var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        case .strategicMerge: "application/strategic-merge-patch+json"
        case .apply: "application/apply-patch+yaml"
        }
    }

    public var body: JSONValue {
        switch self {
        case .merge(let v), .strategicMerge(let v), .apply(let v): v
        case .json(let ops): .array(ops)
        }
    }
}

/// How a delete proceeds (sent as a `DeleteOptions` body).
public struct DeleteOptions: Sendable, Equatable {
    public enum PropagationPolicy: String, Sendable {
        /// Delete dependents in the background after the owner is gone.
        case background = "Background"
        /// Keep the owner (with a `foregroundDeletion` finalizer) until dependents are gone.
        case foreground = "Foreground"
        /// Leave dependents behind (their ownerReferences are removed).
        case orphan = "Orphan"
    }

    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int?
    /// Delete only if the object still has this UID.
    public var preconditionUID: String?
    /// Delete only if the object still has this resourceVersion.
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` document.
    public var json: JSONValue {
        var o: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { o["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { o["gracePeriodSeconds"] = .number(Double(gracePeriodSeconds)) }
        var pre: [String: JSONValue] = [:]
        if let preconditionUID { pre["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { pre["resourceVersion"] = .string(preconditionResourceVersion) }
        if !pre.isEmpty { o["preconditions"] = .object(pre) }
        if dryRun { o["dryRun"] = ["All"] }
        return o
    }
}
