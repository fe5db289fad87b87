import KubeJSON

/// coordination.k8s.io/v1 Lease, for leader election.
public struct Lease: Resource, Equatable {
    public static let descriptor = ResourceDescriptor.leases

    public var metadata: ObjectMeta
    public var spec: LeaseSpec?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: LeaseSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.field(.metadata, default: ObjectMeta())
        spec = try c.decodeIfPresent(LeaseSpec.self, forKey: .spec)
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
    }
}

/// `Lease.spec`. Times are RFC 3339 micro-time strings (`2024-05-01T10:00:00.000000Z`).
public struct LeaseSpec: Codable, Sendable, Equatable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    public var acquireTime: String?
    public var renewTime: String?
    public var leaseTransitions: Int?

    public init(holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: String? = nil,
                renewTime: String? = nil, leaseTransitions: Int? = nil) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}
