import KubeJSON

/// apps/v1 Deployment: replicas, selector, pod template, rollout strategy; status with conditions.
public struct Deployment: SpecStatusResource, Equatable {
    public static let descriptor = ResourceDescriptor.deployments

    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `Deployment.spec`.
public struct DeploymentSpec: Codable, Sendable, Equatable {
    public var replicas: Int?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?
    public var strategy: DeploymentStrategy?
    public var progressDeadlineSeconds: Int?
    public var minReadySeconds: Int?
    public var revisionHistoryLimit: Int?
    public var paused: Bool?

    public init(replicas: Int? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec? = nil,
                strategy: DeploymentStrategy? = nil, progressDeadlineSeconds: Int? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }
}

/// `Deployment.spec.strategy`: `RollingUpdate` (with surge and unavailability) or `Recreate`.
public struct DeploymentStrategy: Codable, Sendable, Equatable {
    public var type: String?
    public var rollingUpdate: RollingUpdate?

    public init(type: String? = nil, rollingUpdate: RollingUpdate? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }

    public struct RollingUpdate: Codable, Sendable, Equatable {
        public var maxSurge: IntOrString?
        public var maxUnavailable: IntOrString?
        public init(maxSurge: IntOrString? = nil, maxUnavailable: IntOrString? = nil) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
        }
    }
}

/// `Deployment.status`.
public struct DeploymentStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int?
    public var replicas: Int?
    public var updatedReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var conditions: [Condition]?

    public init(observedGeneration: Int? = nil, replicas: Int? = nil, updatedReplicas: Int? = nil, readyReplicas: Int? = nil,
                availableReplicas: Int? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.conditions = conditions
    }
}
