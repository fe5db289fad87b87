import KubeJSON

/// core/v1 Namespace.
public struct Namespace: Resource, Equatable {
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

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.field(.metadata, default: ObjectMeta())
        spec = try c.decodeIfPresent(JSONValue.self, forKey: .spec)
        status = try c.decodeIfPresent(NamespaceStatus.self, forKey: .status)
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }
}

/// `Namespace.status`: `Active` or `Terminating`.
public struct NamespaceStatus: Codable, Sendable, Equatable {
    public var phase: String?
}
