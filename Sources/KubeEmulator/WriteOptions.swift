import KubeJSON

/// What a write request asks for, besides its body.
struct WriteOptions: Sendable {
    var type: ResourceType
    var version: String
    /// Namespace from the URL (nil for cluster-scoped).
    var namespace: String?
    /// nil, `status` or `scale`.
    var subresource: String?
    /// `Strict`, `Warn` or `Ignore`.
    var fieldValidation: String = "Warn"
    var fieldManager: String = "unknown"
    var force: Bool = false
    var dryRun: Bool = false

    var apiVersion: String { type.apiVersion(version) }
    var schema: JSONValue? { type.schemas[version] ?? type.schemas[type.preferredVersion] }
}

/// How a delete is carried out.
struct DeleteOptions: Sendable {
    enum Propagation: String, Sendable { case background = "Background", foreground = "Foreground", orphan = "Orphan" }
    var propagation: Propagation?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false
}

/// The result of a write: the stored object, warnings for the `Warning` header, and whether it was created.
struct WriteResult: Sendable {
    var object: JSONValue
    var warnings: [String] = []
    var created = false
}
