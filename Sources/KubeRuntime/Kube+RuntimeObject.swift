import Kube

// Kube's typed resources as runtime objects, so an `Informer` can cache them.
//
// The requirements are declared on each concrete type (not in a protocol extension):
// `Resource` already has `name: String?` and `resourceVersion: String?`, and members of a
// concrete type rank above protocol-extension members, so `deployment.name` keeps
// compiling wherever both modules are imported (`?? ""` and `if let` still pick the
// optional one).

extension ObjectMeta {
    /// `metadata.ownerReferences` in the runtime's terms.
    var runtimeOwnerReferences: [KubeRuntime.OwnerReference] {
        (ownerReferences ?? []).map {
            KubeRuntime.OwnerReference(kind: $0.kind, name: $0.name, uid: $0.uid, controller: $0.controller ?? false)
        }
    }
}

extension Deployment: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension Service: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension Pod: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension Kube.Event: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension Lease: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension Namespace: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}

extension HTTPRoute: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] { metadata.runtimeOwnerReferences }
}
