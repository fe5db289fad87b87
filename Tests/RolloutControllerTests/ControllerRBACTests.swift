import Foundation
import Kube
import KubeJSON
import KubeRuntime
import RolloutController
import Testing
import Yams

/// The shipped RBAC grants exactly what the code declares its requests need (``FledgeController/apiAccess``,
/// ``KubeLeaseStore/apiAccess``): no verb more, none missing. That the requests stay within it is checked end to
/// end (the E2E suite's controllers run with a token bound to these roles; a 403 fails the scenario).
@Suite struct ControllerRBACTests {
    static let manifests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("manifests")

    /// The rules of the one Role or ClusterRole in `file`, merged per resource.
    func granted(_ file: String) throws -> [APIAccess] {
        let text = try String(contentsOf: Self.manifests.appendingPathComponent(file), encoding: .utf8)
        let role = try JSONValue(parsing: try JSONSerialization.data(withJSONObject: try #require(try Yams.load(yaml: text))))
        var accesses: [APIAccess] = []
        for rule in role["rules"]?.arrayValue ?? [] {
            let verbs = Set((rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
            for group in (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue) {
                for resource in (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue) {
                    accesses.append(APIAccess(group: group, resource: resource, verbs: verbs))
                }
            }
        }
        return APIAccess.merged(accesses)
    }

    @Test func theClusterRoleGrantsExactlyWhatTheControllerDeclares() throws {
        let granted = try granted("clusterrole.yaml")
        let needed = FledgeController.apiAccess
        #expect(granted.map(\.description) == needed.map(\.description),
                "manifests/clusterrole.yaml grants \(granted.map(\.description)); the code declares \(needed.map(\.description))")
        // The verbs a review found granted and unused stay out.
        let deployments = needed.first { $0.group == "apps" && $0.resource == "deployments" }
        #expect(deployments?.verbs.contains("delete") == false)
        #expect(needed.first { $0.group == "fledge.dev" && $0.resource == "rollouts" }?.verbs.contains("update") == false)
        #expect(needed.first { $0.group == "" && $0.resource == "services" }?.verbs.isDisjoint(with: ["update", "patch"]) == true)
    }

    @Test func theLeaderElectionRoleGrantsExactlyWhatTheElectorUses() throws {
        let granted = try granted("leader-election-role.yaml")
        #expect(granted.map(\.description) == APIAccess.merged(KubeLeaseStore.apiAccess).map(\.description))
        #expect(granted.first?.verbs.isDisjoint(with: ["list", "watch"]) == true)
    }
}
