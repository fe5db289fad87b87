import Foundation
import KubeEmulator
import KubeJSON
import Testing

/// Requests made with a service account's token are authorized by the stored RBAC objects, as on a real
/// cluster: bindings scope what a role grants, denials are 403 Forbidden with the real server's words and are
/// listed by the admin API.
@Suite struct RBACTests {
    static let rbac = "/apis/rbac.authorization.k8s.io/v1"

    /// A token for `fledge-system/fledge-controller` and a client that sends it.
    func serviceAccount(_ c: TestClient) async throws -> (Response: Void, send: (String, String, JSONValue?) async throws -> TestClient.Response) {
        let issued = try await c.post("/emulator.fledge.dev/tokens", ["namespace": "fledge-system", "serviceAccount": "fledge-controller"])
        #expect(issued.status == 201)
        #expect(issued.body["user"] == "system:serviceaccount:fledge-system:fledge-controller")
        let token = try #require(issued.body["token"]?.stringValue)
        return ((), { method, path, body in
            try await c.send(.init(rawValue: method), path, body, headers: [("Authorization", "Bearer \(token)")])
        })
    }

    @Test func bindingsScopeWhatRolesGrant() async throws {
        try await withEmulator { _, c in
            let (_, send) = try await serviceAccount(c)
            for ns in ["team-a", "team-b"] { try await c.post("/api/v1/namespaces", ["metadata": ["name": .string(ns)]]) }
            // Nothing bound yet: even a list is refused, in the real server's words.
            let refused = try await send("GET", "/apis/apps/v1/namespaces/team-a/deployments", nil)
            #expect(refused.status == 403)
            #expect(refused.body["reason"] == "Forbidden")
            #expect(refused.body["message"]?.stringValue == "deployments.apps is forbidden: User \"system:serviceaccount:fledge-system:fledge-controller\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"team-a\"")
            // Discovery is open to every authenticated user.
            #expect(try await send("GET", "/apis", nil).status == 200)

            // A ClusterRole bound in team-a only (a RoleBinding): list and patch there, nothing in team-b, no delete.
            try await c.post("\(Self.rbac)/clusterroles", [
                "metadata": ["name": "deployer"],
                "rules": [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "patch"]],
                          ["apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"], "resourceNames": ["web"]]],
            ])
            try await c.post("\(Self.rbac)/namespaces/team-a/rolebindings", [
                "metadata": ["name": "deployer"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "deployer"],
                "subjects": [["kind": "ServiceAccount", "name": "fledge-controller", "namespace": "fledge-system"]],
            ])
            try await c.post("/apis/apps/v1/namespaces/team-a/deployments", Objects.deployment("web", replicas: 1))
            #expect(try await send("GET", "/apis/apps/v1/namespaces/team-a/deployments", nil).status == 200)
            #expect(try await send("GET", "/apis/apps/v1/watch/namespaces/team-a/deployments?timeoutSeconds=1", nil).status == 200)
            #expect(try await send("GET", "/apis/apps/v1/namespaces/team-b/deployments", nil).status == 403)
            #expect(try await send("GET", "/apis/apps/v1/deployments", nil).status == 403, "a RoleBinding grants nothing cluster-wide")
            let deleted = try await send("DELETE", "/apis/apps/v1/namespaces/team-a/deployments/web", nil)
            #expect(deleted.status == 403)
            #expect(deleted.body["message"]?.stringValue?.contains("cannot delete resource \"deployments\"") == true)
            #expect(try await c.get("/apis/apps/v1/namespaces/team-a/deployments/web").status == 200, "the refused delete changed nothing")
            // resourceNames: the named object only; a subresource is its own resource.
            let scale: JSONValue = ["apiVersion": "autoscaling/v1", "kind": "Scale",
                                    "metadata": ["name": "web", "namespace": "team-a"], "spec": ["replicas": 2]]
            #expect(try await send("PUT", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", scale).status == 200)
            #expect(try await send("PUT", "/apis/apps/v1/namespaces/team-a/deployments/other/scale", scale).status == 403)

            // The admin API lists what was refused and the distinct verbs allowed.
            let decisions = try await c.get("/emulator.fledge.dev/rbac").body
            let denied = decisions["denied"]?.arrayValue ?? []
            #expect(denied.count == 5)
            #expect(denied.contains { $0["verb"] == "delete" && $0["resource"] == "deployments" && $0["name"] == "web" })
            var allowed: Set<String> = []
            for decision in decisions["allowed"]?.arrayValue ?? [] {
                allowed.insert("\(decision["verb"]?.stringValue ?? "") \(decision["resource"]?.stringValue ?? "")")
            }
            #expect(allowed == ["list deployments", "watch deployments", "update deployments/scale"])
        }
    }

    @Test func clusterRoleBindingsAggregatedRolesAndRoles() async throws {
        try await withEmulator { _, c in
            let (_, send) = try await serviceAccount(c)
            try await c.post("/api/v1/namespaces", ["metadata": ["name": "fledge-system"]])
            // An aggregated ClusterRole: the rules of every ClusterRole its selector matches, bound cluster-wide.
            try await c.post("\(Self.rbac)/clusterroles", [
                "metadata": ["name": "edit"],
                "aggregationRule": ["clusterRoleSelectors": [["matchLabels": ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]]]],
                "rules": [],
            ])
            try await c.post("\(Self.rbac)/clusterroles", [
                "metadata": ["name": "services-edit", "labels": ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]],
                "rules": [["apiGroups": [""], "resources": ["services"], "verbs": ["list", "create"]]],
            ])
            try await c.post("\(Self.rbac)/clusterrolebindings", [
                "metadata": ["name": "edit"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"],
                "subjects": [["kind": "ServiceAccount", "name": "fledge-controller", "namespace": "fledge-system"]],
            ])
            #expect(try await send("GET", "/api/v1/services", nil).status == 200)
            #expect(try await send("GET", "/api/v1/namespaces/default/services", nil).status == 200)
            #expect(try await send("GET", "/api/v1/namespaces/default/services/x", nil).status == 403)
            // A Role in the service account's namespace, bound there.
            try await c.post("\(Self.rbac)/namespaces/fledge-system/roles", [
                "metadata": ["name": "leases"],
                "rules": [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]]],
            ])
            try await c.post("\(Self.rbac)/namespaces/fledge-system/rolebindings", [
                "metadata": ["name": "leases"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "leases"],
                "subjects": [["kind": "ServiceAccount", "name": "fledge-controller", "namespace": "fledge-system"]],
            ])
            let lease: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "l"], "spec": [:]]
            #expect(try await send("POST", "/apis/coordination.k8s.io/v1/namespaces/fledge-system/leases", lease).status == 201)
            #expect(try await send("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease).status == 403)
            #expect(try await send("GET", "/apis/coordination.k8s.io/v1/namespaces/fledge-system/leases", nil).status == 403, "no list")
            // The admin API is not reachable with a service account's token.
            #expect(try await send("GET", "/emulator.fledge.dev/rbac", nil).status == 404)
        }
    }
}
