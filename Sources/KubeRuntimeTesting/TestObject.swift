import KubeRuntime

/// A minimal object for runtime tests: identity, owner references and one `data` field to change.
public struct TestObject: RuntimeObject, Hashable {
    public var namespace: String?
    public var name: String
    public var uid: String
    public var resourceVersion: String = ""
    public var ownerReferences: [OwnerReference] = []
    public var data: String = ""

    /// `uid` defaults to `uid-<name>`.
    public init(namespace: String? = "default", name: String, uid: String? = nil, ownerReferences: [OwnerReference] = [],
                data: String = "") {
        self.namespace = namespace
        self.name = name
        self.uid = uid ?? "uid-\(name)"
        self.ownerReferences = ownerReferences
        self.data = data
    }
}

extension InMemoryListerWatcher where Object == TestObject {
    /// A source of ``TestObject``s.
    public convenience init() {
        self.init { object, version in object.resourceVersion = version }
    }
}
