import KubeJSON

/// gateway.networking.k8s.io/v1 HTTPRoute: parent gateways and weighted backends per rule.
public struct HTTPRoute: SpecStatusResource, Equatable {
    public static let descriptor = ResourceDescriptor.httpRoutes

    public var metadata: ObjectMeta
    public var spec: HTTPRouteSpec?
    public var status: JSONValue?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, spec: HTTPRouteSpec? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `HTTPRoute.spec`.
public struct HTTPRouteSpec: Codable, Sendable, Equatable {
    public var parentRefs: [ParentReference]?
    public var hostnames: [String]?
    public var rules: [HTTPRouteRule]?

    public init(parentRefs: [ParentReference]? = nil, hostnames: [String]? = nil, rules: [HTTPRouteRule]? = nil) {
        self.parentRefs = parentRefs
        self.hostnames = hostnames
        self.rules = rules
    }
}

/// A Gateway (or other parent) the route attaches to.
public struct ParentReference: Codable, Sendable, Equatable {
    public var group: String?
    public var kind: String?
    public var namespace: String?
    public var name: String
    public var sectionName: String?
    public var port: Int?

    public init(name: String, namespace: String? = nil, sectionName: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.sectionName = sectionName
    }
}

/// One rule: which requests (`matches`) go to which weighted backends.
public struct HTTPRouteRule: Codable, Sendable, Equatable {
    public var name: String?
    public var matches: [HTTPRouteMatch]?
    public var filters: [JSONValue]?
    public var backendRefs: [HTTPBackendRef]?
    public var timeouts: JSONValue?

    public init(matches: [HTTPRouteMatch]? = nil, backendRefs: [HTTPBackendRef]? = nil) {
        self.matches = matches
        self.backendRefs = backendRefs
    }
}

/// A request match: path, headers, query parameters, method.
public struct HTTPRouteMatch: Codable, Sendable, Equatable {
    public var path: PathMatch?
    public var headers: [JSONValue]?
    public var queryParams: [JSONValue]?
    public var method: String?

    public init(path: PathMatch? = nil, method: String? = nil) {
        self.path = path
        self.method = method
    }

    /// `PathPrefix`, `Exact` or `RegularExpression`.
    public struct PathMatch: Codable, Sendable, Equatable {
        public var type: String?
        public var value: String?
        public init(type: String? = "PathPrefix", value: String? = "/") {
            self.type = type
            self.value = value
        }
    }
}

/// A weighted backend (usually a Service port).
public struct HTTPBackendRef: Codable, Sendable, Equatable {
    public var group: String?
    public var kind: String?
    public var name: String
    public var namespace: String?
    public var port: Int?
    public var weight: Int?
    public var filters: [JSONValue]?

    public init(name: String, namespace: String? = nil, port: Int? = nil, weight: Int? = nil) {
        self.name = name
        self.namespace = namespace
        self.port = port
        self.weight = weight
    }
}
