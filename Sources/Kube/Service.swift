import KubeJSON

/// core/v1 Service: selector and ports.
public struct Service: SpecStatusResource, Equatable {
    public static let descriptor = ResourceDescriptor.services

    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: JSONValue?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `Service.spec`.
public struct ServiceSpec: Codable, Sendable, Equatable {
    public var type: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var clusterIP: String?

    public init(type: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil) {
        self.type = type
        self.selector = selector
        self.ports = ports
    }
}

/// One port of a Service.
public struct ServicePort: Codable, Sendable, Equatable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?

    public init(name: String? = nil, port: Int, targetPort: IntOrString? = nil, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
    }
}
