import KubeJSON

/// autoscaling/v1 Scale: the `scale` subresource of Deployments (and any scalable kind).
public struct Scale: Resource, Equatable {
    public static let descriptor = ResourceDescriptor(group: "autoscaling", version: "v1", plural: "scale", namespaced: true, kind: "Scale")

    public var metadata: ObjectMeta
    public var spec: ScaleSpec?
    public var status: ScaleStatus?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: ScaleSpec? = nil, status: ScaleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.field(.metadata, default: ObjectMeta())
        spec = try c.decodeIfPresent(ScaleSpec.self, forKey: .spec)
        status = try c.decodeIfPresent(ScaleStatus.self, forKey: .status)
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }
}

/// `Scale.spec`: the desired replicas.
public struct ScaleSpec: Codable, Sendable, Equatable {
    public var replicas: Int?
    public init(replicas: Int? = nil) { self.replicas = replicas }
}

/// `Scale.status`: current replicas and the pod selector as a string.
public struct ScaleStatus: Codable, Sendable, Equatable {
    public var replicas: Int?
    public var selector: String?
}
