import KubeJSON

/// core/v1 Namespace.
public struct Namespace: SpecStatusResource, Equatable {
    public static let descriptor = ResourceDescriptor.namespaces

    public var metadata: ObjectMeta
    public var spec: JSONValue?
    public var status: NamespaceStatus?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: JSONValue? = nil, status: NamespaceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `Namespace.status`: `Active` or `Terminating`.
public struct NamespaceStatus: Codable, Sendable, Equatable {
    public var phase: String?
}
