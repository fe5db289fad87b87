import KubeJSON

/// A pod template: labels and annotations for the pods, and their spec.
public struct PodTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `PodSpec`: the fields Fledge reads and writes; volumes, affinity and the rest travel as raw JSON or as
/// unknown fields preserved by the enclosing resource.
public struct PodSpec: Codable, Sendable, Equatable {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var serviceAccountName: String?
    public var nodeSelector: [String: String]?
    public var terminationGracePeriodSeconds: Int?
    public var restartPolicy: String?
    public var volumes: [JSONValue]?

    public init(containers: [Container], initContainers: [Container]? = nil, serviceAccountName: String? = nil) {
        self.containers = containers
        self.initContainers = initContainers
        self.serviceAccountName = serviceAccountName
    }

    enum CodingKeys: String, CodingKey {
        case containers, initContainers, serviceAccountName, nodeSelector, terminationGracePeriodSeconds, restartPolicy, volumes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        containers = try c.field(.containers, default: [])
        initContainers = try c.decodeIfPresent([Container].self, forKey: .initContainers)
        serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        nodeSelector = try c.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        terminationGracePeriodSeconds = try c.decodeIfPresent(Int.self, forKey: .terminationGracePeriodSeconds)
        restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        volumes = try c.decodeIfPresent([JSONValue].self, forKey: .volumes)
    }
}

/// One container of a pod.
public struct Container: Codable, Sendable, Equatable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    public var ports: [ContainerPort]?
    public var resources: ResourceRequirements?
    public var imagePullPolicy: String?
    public var readinessProbe: JSONValue?
    public var livenessProbe: JSONValue?

    public init(name: String, image: String? = nil, env: [EnvVar]? = nil, ports: [ContainerPort]? = nil,
                resources: ResourceRequirements? = nil) {
        self.name = name
        self.image = image
        self.env = env
        self.ports = ports
        self.resources = resources
    }
}

/// An environment variable: a literal value or a `valueFrom` reference (kept raw).
public struct EnvVar: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?
    public var valueFrom: JSONValue?

    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// A port a container listens on.
public struct ContainerPort: Codable, Sendable, Equatable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?

    public init(name: String? = nil, containerPort: Int, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// CPU and memory requests and limits (quantities as strings: `100m`, `128Mi`).
public struct ResourceRequirements: Codable, Sendable, Equatable {
    public var limits: [String: String]?
    public var requests: [String: String]?

    public init(limits: [String: String]? = nil, requests: [String: String]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}
