import KubeJSON

/// core/v1 Pod: the basics Fledge reads (spec, phase, IP, conditions).
public struct Pod: SpecStatusResource, Equatable {
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
