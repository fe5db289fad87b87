import KubeJSON

/// autoscaling/v1 Scale: the `scale` subresource of Deployments (and any scalable kind).
public struct Scale: SpecStatusResource, Equatable {
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
