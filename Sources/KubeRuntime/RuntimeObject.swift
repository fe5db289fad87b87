/// What the runtime needs to know about an API object. The Kubernetes client's types
/// are adapted to this protocol, so the store, its indexes and the event handlers work
/// without depending on the client.
public protocol RuntimeObject: Sendable {
    /// The namespace, or nil (or empty) for cluster-scoped objects.
    var namespace: String? { get }
    var name: String { get }
    var uid: String { get }
    var resourceVersion: String { get }
    var ownerReferences: [OwnerReference] { get }
}

/// One entry of `metadata.ownerReferences`.
public struct OwnerReference: Hashable, Sendable {
    public var kind: String
    public var name: String
    public var uid: String
    /// True for the managing controller (at most one per object).
    public var controller: Bool

    public init(kind: String, name: String, uid: String, controller: Bool = false) {
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

extension RuntimeObject {
    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? {
        ownerReferences.first { $0.controller }
    }
}
