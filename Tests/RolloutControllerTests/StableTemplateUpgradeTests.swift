import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// A Rollout written by an older controller has no `status.stableTemplates`: the controller stores the stable
/// Deployment's template the first time it sees it, read from the API whole (the informer cache keeps only the
/// typed fields), so a stable recreated from it later keeps what the typed cache would drop.
@Suite(.timeLimit(.minutes(2)))
struct StableTemplateUpgradeTests {
    @Test func aStatusWithoutStoredTemplatesLearnsStablesWholeTemplateMidCanary() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(50), .pause(), .weight(100)]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("paused at 50%") { $0.phase == .paused && $0.canaryVersion == "2.0.0" }
                // The stable template carries a field the typed cache does not keep.
                let affinity: JSONValue = ["nodeAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
                    ["weight": 1, "preference": ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]],
                ]]]
                let _: DynamicObject = try await cluster.client.patch(
                    .deployments, name: Fixture.stableName, namespace: "default",
                    .merge(["spec": ["template": ["spec": ["affinity": affinity]]]]))
                // As an older controller left it: no stored templates.
                let _: DynamicObject = try await cluster.client.patch(
                    Rollout.descriptor, name: Fixture.name, namespace: "default", .merge(["status": ["stableTemplates": .null]]),
                    subresource: "status")
                try await cluster.waitFor("stable's template stored again") { status in
                    status.stableTemplates?.first(where: { $0.hash == hash("1.0.0") }) != nil
                }
                let stored = try #require(try await cluster.status().stableTemplates?.first { $0.hash == hash("1.0.0") })
                #expect(stored.template[path: ["spec", "affinity"]] == affinity, "the whole template, not the typed part")
            }
        }
    }
}
