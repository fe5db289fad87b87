import KubeJSON

/// core/v1 Pod: the basics Fledge reads (spec, phase, IP, conditions).
public struct Pod: Resource, Equatable {
    public static let descriptor = ResourceDescriptor.pods

    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.field(.metadata, default: ObjectMeta())
        spec = try c.decodeIfPresent(PodSpec.self, forKey: .spec)
        status = try c.decodeIfPresent(PodStatus.self, forKey: .status)
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }
}

/// `Pod.status`: phase, addresses and conditions (container statuses raw).
public struct PodStatus: Codable, Sendable, Equatable {
    public var phase: String?
    public var podIP: String?
    public var hostIP: String?
    public var conditions: [Condition]?
    public var containerStatuses: [JSONValue]?
    public var startTime: String?
}
