/// A permission a component needs from the API server: the verbs it uses on one resource (or subresource) of an
/// API group, and why. Components declare what their requests need next to the code that makes them; the
/// union is what an RBAC role must grant, no more (the controller's ClusterRole is checked against it).
public struct APIAccess: Sendable, Hashable, CustomStringConvertible {
    /// API group; "" for the core group.
    public var group: String
    /// Plural resource name, with `/subresource` when it names one (`rollouts/status`).
    public var resource: String
    /// Kubernetes verbs: get, list, watch, create, update, patch, delete.
    public var verbs: Set<String>

    public init(group: String, resource: String, verbs: Set<String>) {
        self.group = group
        self.resource = resource
        self.verbs = verbs
    }

    /// The verbs on a resource, or on one of its subresources.
    public init(_ descriptor: ResourceDescriptor, subresource: String? = nil, _ verbs: Set<String>) {
        self.init(group: descriptor.group, resource: subresource.map { "\(descriptor.plural)/\($0)" } ?? descriptor.plural,
                  verbs: verbs)
    }

    /// `deployments.apps: get, list, watch, patch`.
    public var description: String {
        "\(group.isEmpty ? resource : "\(resource).\(group)"): \(verbs.sorted().joined(separator: ", "))"
    }

    /// Accesses merged per group and resource (verbs united), sorted by group then resource.
    public static func merged(_ accesses: [APIAccess]) -> [APIAccess] {
        var byKey: [String: APIAccess] = [:]
        for access in accesses {
            let key = "\(access.group)\u{0}\(access.resource)"
            byKey[key, default: APIAccess(group: access.group, resource: access.resource, verbs: [])].verbs.formUnion(access.verbs)
        }
        return byKey.values.sorted { ($0.group, $0.resource) < ($1.group, $1.resource) }
    }
}
