/// Which resource a request addresses: group, version, plural name, scope and kind.
///
/// ```swift
/// ResourceDescriptor.deployments.path(namespace: "prod", name: "web", subresource: "status")
/// // "/apis/apps/v1/namespaces/prod/deployments/web/status"
/// ```
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// API group; "" for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// Lower-case plural name used in paths, e.g. `deployments`.
    public var plural: String
    public var namespaced: Bool
    public var kind: String

    public init(group: String, version: String, plural: String, namespaced: Bool, kind: String) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
        self.kind = kind
    }

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `/api/v1` or `/apis/<group>/<version>`.
    public var apiPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(plural)/\(version)" : "\(plural).\(group)/\(version)" }

    /// The URL path of the collection (no name) or of one object, optionally a subresource of it.
    /// The namespace is ignored for cluster-scoped resources.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var parts = [apiPrefix]
        if namespaced, let namespace, !namespace.isEmpty { parts.append("namespaces/\(PathEscaping.segment(namespace))") }
        parts.append(plural)
        if let name {
            parts.append(PathEscaping.segment(name))
            if let subresource { parts.append(subresource) }
        }
        return parts.joined(separator: "/")
    }
}

extension ResourceDescriptor {
    public static let namespaces = ResourceDescriptor(group: "", version: "v1", plural: "namespaces", namespaced: false, kind: "Namespace")
    public static let pods = ResourceDescriptor(group: "", version: "v1", plural: "pods", namespaced: true, kind: "Pod")
    public static let services = ResourceDescriptor(group: "", version: "v1", plural: "services", namespaced: true, kind: "Service")
    public static let configMaps = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", namespaced: true, kind: "ConfigMap")
    public static let events = ResourceDescriptor(group: "", version: "v1", plural: "events", namespaced: true, kind: "Event")
    public static let deployments = ResourceDescriptor(group: "apps", version: "v1", plural: "deployments", namespaced: true, kind: "Deployment")
    public static let replicaSets = ResourceDescriptor(group: "apps", version: "v1", plural: "replicasets", namespaced: true, kind: "ReplicaSet")
    public static let leases = ResourceDescriptor(group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true, kind: "Lease")
    public static let httpRoutes = ResourceDescriptor(group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", namespaced: true, kind: "HTTPRoute")
    public static let virtualServices = ResourceDescriptor(group: "networking.istio.io", version: "v1", plural: "virtualservices", namespaced: true, kind: "VirtualService")
    public static let ingresses = ResourceDescriptor(group: "networking.k8s.io", version: "v1", plural: "ingresses", namespaced: true, kind: "Ingress")
    public static let customResourceDefinitions = ResourceDescriptor(group: "apiextensions.k8s.io", version: "v1",
                                                                     plural: "customresourcedefinitions", namespaced: false,
                                                                     kind: "CustomResourceDefinition")

    /// Whether the API server knows this kind natively, so strategic merge patch applies to it.
    public var isBuiltIn: Bool { Self.builtInGroups.contains(group) }

    /// API groups served by kube-apiserver itself (everything else is a CRD or an aggregated API).
    public static let builtInGroups: Set<String> = [
        "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
        "events.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
        "admissionregistration.k8s.io", "certificates.k8s.io", "node.k8s.io", "scheduling.k8s.io",
        "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "resource.k8s.io",
    ]
}

/// Percent-encoding for path segments and query values (RFC 3986 unreserved characters pass through).
enum PathEscaping {
    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    static func encode(_ s: String, keeping extra: Set<UInt8> = []) -> String {
        var out = ""
        for byte in s.utf8 {
            if unreserved.contains(byte) || extra.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A path segment: everything but unreserved characters and `:@` is escaped (including `/`).
    static func segment(_ s: String) -> String { encode(s, keeping: Set(":@".utf8)) }

    /// A query name or value.
    static func query(_ s: String) -> String { encode(s) }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
