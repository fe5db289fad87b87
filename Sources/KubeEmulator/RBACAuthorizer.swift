import Foundation
import KubeJSON
import Synchronization

/// A service account a token stands for: `system:serviceaccount:<namespace>:<name>`.
public struct ServiceAccountSubject: Sendable, Hashable {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The user name the real API server gives a service account's token.
    public var userName: String { "system:serviceaccount:\(namespace):\(name)" }
}

/// Role-based access control for requests made with a service account's token, as the real API server's RBAC
/// authorizer decides it from the stored Roles, ClusterRoles and their bindings: a RoleBinding grants its role's
/// rules in its own namespace (a Role of that namespace or a ClusterRole), a ClusterRoleBinding grants a
/// ClusterRole's rules everywhere; an aggregated ClusterRole has the rules of the ClusterRoles its selectors
/// match. A rule allows a request when its verbs, apiGroups and resources (`resource/subresource`) name it or
/// hold `*`, and its resourceNames, if any, name the object (a request without a name, such as list or create,
/// never matches a rule with resourceNames). Requests outside resources (discovery, OpenAPI, /version) are open
/// to every authenticated user, as the built-in system:discovery role makes them.
///
/// Requests with the emulator's own credentials (its client certificate, its token, or none over plain HTTP)
/// are not authorized at all: they are the cluster administrator.
struct RBACAuthorizer {
    let state: ClusterState

    static let group = "rbac.authorization.k8s.io"

    /// Whether `subject` may do `verb` on what `path` names.
    func allows(_ subject: ServiceAccountSubject, verb: String, path: ResourcePath) -> Bool {
        let resource = path.subresource.map { "\(path.resource)/\($0)" } ?? path.resource
        return rules(for: subject, namespace: path.namespace).contains { rule in
            Self.matches(rule, verb: verb, group: path.group, resource: resource, name: path.name)
        }
    }

    /// The Status the real server answers a denied request with.
    static func forbidden(_ subject: ServiceAccountSubject, verb: String, path: ResourcePath) -> APIError {
        let qualified = APIError.qualified(path.resource, path.group)
        let what = path.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        let resource = path.subresource.map { "\(path.resource)/\($0)" } ?? path.resource
        let scope = path.namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return APIError(
            code: 403, reason: "Forbidden",
            message: "\(what) is forbidden: User \"\(subject.userName)\" cannot \(verb) resource \"\(resource)\" in API group \"\(path.group)\" \(scope)",
            details: APIError.details(name: path.name, group: path.group, kind: path.resource))
    }

    // MARK: Rules

    /// Every rule granted to `subject` for a request in `namespace` (nil: cluster-scoped).
    func rules(for subject: ServiceAccountSubject, namespace: String?) -> [JSONValue] {
        var rules: [JSONValue] = []
        for binding in state.list(GroupResource(group: Self.group, resource: "clusterrolebindings"), namespace: nil)
        where Self.binds(binding, subject) {
            if binding[path: ["roleRef", "kind"]]?.stringValue == "ClusterRole",
               let name = binding[path: ["roleRef", "name"]]?.stringValue {
                rules += clusterRoleRules(name)
            }
        }
        guard let namespace else { return rules }
        for binding in state.list(GroupResource(group: Self.group, resource: "rolebindings"), namespace: namespace)
        where Self.binds(binding, subject) {
            guard let name = binding[path: ["roleRef", "name"]]?.stringValue else { continue }
            switch binding[path: ["roleRef", "kind"]]?.stringValue {
            case "ClusterRole":
                rules += clusterRoleRules(name)
            case "Role":
                let role = state.get(GroupResource(group: Self.group, resource: "roles"), ObjectKey(namespace: namespace, name: name))
                rules += role?["rules"]?.arrayValue ?? []
            default:
                continue
            }
        }
        return rules
    }

    /// A ClusterRole's rules; for an aggregated one, those of every ClusterRole its selectors match.
    func clusterRoleRules(_ name: String) -> [JSONValue] {
        let roles = GroupResource(group: Self.group, resource: "clusterroles")
        guard let role = state.get(roles, ObjectKey(namespace: "", name: name)) else { return [] }
        guard let selectors = role[path: ["aggregationRule", "clusterRoleSelectors"]]?.arrayValue else {
            return role["rules"]?.arrayValue ?? []
        }
        return state.list(roles, namespace: nil).filter { candidate in
            let labels = (candidate[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            return selectors.contains { selector in
                let wanted = (selector["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                return !wanted.isEmpty && wanted.allSatisfy { labels[$0.key] == $0.value }
            }
        }.flatMap { $0["rules"]?.arrayValue ?? [] }
    }

    /// Whether a binding names the service account (as itself, its user name, or a service-account group).
    static func binds(_ binding: JSONValue, _ subject: ServiceAccountSubject) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { s in
            let name = s["name"]?.stringValue
            switch s["kind"]?.stringValue {
            case "ServiceAccount":
                return name == subject.name && s["namespace"]?.stringValue == subject.namespace
            case "User":
                return name == subject.userName
            case "Group":
                return name == "system:serviceaccounts" || name == "system:serviceaccounts:\(subject.namespace)"
                    || name == "system:authenticated"
            default:
                return false
            }
        }
    }

    static func matches(_ rule: JSONValue, verb: String, group: String, resource: String, name: String?) -> Bool {
        func listed(_ field: String) -> [String] { (rule[field]?.arrayValue ?? []).compactMap(\.stringValue) }
        let verbs = listed("verbs"), groups = listed("apiGroups"), resources = listed("resources")
        guard verbs.contains(verb) || verbs.contains("*") else { return false }
        guard groups.contains(group) || groups.contains("*") else { return false }
        let subresource = resource.split(separator: "/", maxSplits: 1).dropFirst().first.map { "*/\($0)" }
        guard resources.contains(resource) || resources.contains("*") || subresource.map(resources.contains) == true else {
            return false
        }
        let names = listed("resourceNames")
        if names.isEmpty { return true }
        guard let name else { return false }
        return names.contains(name)
    }
}

/// The service-account tokens the emulator has issued, and what RBAC decided for requests made with them: the
/// denials (each a 403 the client saw) and the distinct verbs allowed, per service account.
final class ServiceAccountAccess: Sendable {
    /// One authorization decision, as the admin API lists it.
    struct Decision: Sendable, Hashable {
        var user: String
        var verb: String
        var group: String
        var resource: String
        var namespace: String?
        var name: String?

        var json: JSONValue {
            ["user": .string(user), "verb": .string(verb), "group": .string(group), "resource": .string(resource),
             "namespace": namespace.map { .string($0) } ?? .null, "name": name.map { .string($0) } ?? .null]
        }
    }

    private struct State {
        var tokens: [String: ServiceAccountSubject] = [:]
        var denied: [Decision] = []
        var allowed: Set<Decision> = []
    }
    private let state = Mutex(State())

    /// A new token for the service account (a real cluster's TokenRequest).
    func issueToken(for subject: ServiceAccountSubject) -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let token = "sa." + bytes.map { String(format: "%02x", $0) }.joined()
        state.withLock { $0.tokens[token] = subject }
        return token
    }

    /// The service account a request's bearer token stands for, if it is one the emulator issued.
    func subject(of request: EmulatorRequest) -> ServiceAccountSubject? {
        guard let header = request.header("Authorization"), header.hasPrefix("Bearer ") else { return nil }
        let token = String(header.dropFirst("Bearer ".count))
        return state.withLock { $0.tokens[token] }
    }

    func record(_ decision: Decision, allowed: Bool) {
        state.withLock { s in
            if allowed {
                // Allowed decisions are kept per verb and resource (not per object), so the set stays small.
                var key = decision
                key.name = nil
                key.namespace = nil
                s.allowed.insert(key)
            } else {
                s.denied.append(decision)
            }
        }
    }

    func denials() -> [Decision] { state.withLock { $0.denied } }
    func allowedVerbs() -> [Decision] {
        state.withLock { $0.allowed }.sorted { ($0.user, $0.group, $0.resource, $0.verb) < ($1.user, $1.group, $1.resource, $1.verb) }
    }
    func clear() { state.withLock { $0.denied.removeAll(); $0.allowed.removeAll() } }
}
