import KubeJSON

/// A group and resource, e.g. (`apps`, `deployments`): what storage is keyed by (all versions share it).
public struct GroupResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var resource: String
    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A printer column: a name, a type and how to compute its cell.
public struct PrinterColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int
    /// A JSONPath like `.status.replicas`; nil for computed columns.
    public var jsonPath: String?

    public init(name: String, type: String, format: String = "", description: String = "", priority: Int = 0, jsonPath: String? = nil) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
    }
}

/// Everything the emulator knows about one served resource: names, scope, verbs, subresources, schema.
/// Built-ins come from ``BuiltinResources``; custom resources are made from their CRD.
public struct ResourceType: Sendable {
    public var group: String
    /// Served versions; the first is the preferred one.
    public var versions: [String]
    public var resource: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]
    public var hasStatus: Bool
    /// Scale subresource paths, when the resource has one.
    public var scale: ScaleSpec?
    /// Whether `metadata.generation` is maintained.
    public var tracksGeneration: Bool
    /// Whether strategic merge patch is accepted (built-ins only).
    public var strategicMerge: Bool
    /// Extra printer columns between Name and Age (nil: the default Name, Age).
    public var columns: [PrinterColumn]?
    /// The OpenAPI v3 schema per version (structural), used for validation, pruning and `/openapi/v3`.
    public var schemas: [String: JSONValue]
    /// True for resources defined by a CRD.
    public var isCustom: Bool
    /// Table columns follow CRD rules: Name plus the additional printer columns (or Name, Age when there are none).
    public var customColumns = false
    /// Whether the default table ends with an Age column.
    public var printsAge = true
    /// Whether DELETE answers with the deleted object (pods, services, namespaces, custom resources) rather than
    /// a `Status` of `Success` (the real registry's `ReturnDeletedObject`).
    public var returnsDeletedObject = false
    /// Served from another resource's storage (events.k8s.io Events are core Events).
    public var storedAs: GroupResource?
    /// A create-only review resource answered without storage (SelfSubjectAccessReview, SelfSubjectReview).
    public var isReview = false

    public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }
    public var preferredVersion: String { versions[0] }

    public func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    public init(group: String, versions: [String], resource: String, singular: String, kind: String, namespaced: Bool,
                shortNames: [String] = [], categories: [String] = [], verbs: [String] = ResourceType.allVerbs,
                hasStatus: Bool = false, scale: ScaleSpec? = nil, tracksGeneration: Bool = false, strategicMerge: Bool = true,
                columns: [PrinterColumn]? = nil, schemas: [String: JSONValue] = [:], isCustom: Bool = false) {
        self.group = group
        self.versions = versions
        self.resource = resource
        self.singular = singular
        self.kind = kind
        self.listKind = kind + "List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.verbs = verbs
        self.hasStatus = hasStatus
        self.scale = scale
        self.tracksGeneration = tracksGeneration
        self.strategicMerge = strategicMerge
        self.columns = columns
        self.schemas = schemas
        self.isCustom = isCustom
    }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
}

/// Where a scale subresource reads and writes replicas, as in a CRD's `subresources.scale`.
public struct ScaleSpec: Sendable, Equatable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?
    public init(specReplicasPath: String = ".spec.replicas", statusReplicasPath: String = ".status.replicas", labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }
    /// Splits `.spec.replicas` into `["spec", "replicas"]`.
    static func keys(_ path: String) -> [String] { path.split(separator: ".").map(String.init) }
}
