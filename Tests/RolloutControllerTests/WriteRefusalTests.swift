import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// A write the API server refuses is a condition with the server's words and one Warning Event, never only a log
/// line: the whole controller against the emulator, whose admin API refuses the next writes.
@Suite(.timeLimit(.minutes(2)))
struct WriteRefusalTests {
    @Test func aRefusedDeploymentWriteIsAConditionAndOneEventThenClearsWhenWritesGoThrough() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(25), .pause(), .weight(100)]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                // The controller may not change its Deployments for a while (as with a missing RBAC verb).
                try await cluster.client.injectEmulatorFault(path: "/deployments", verb: "PATCH", code: 403, count: 6)
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("WritesAccepted=False", timeout: .seconds(60)) { $0.condition(.writesAccepted)?.status == "False" }
                let refused = try await cluster.status()
                #expect(refused.condition(.writesAccepted)?.reason == "WriteRefused")
                #expect(refused.condition(.writesAccepted)?.message?.contains("could not write Deployment shop-") == true,
                        "\(refused.condition(.writesAccepted)?.message ?? "-")")
                #expect(refused.canaryVersion == "2.0.0", "the status is still written")
                // Once the refusals are used up, the canary goes on and the condition says writes go through.
                try await cluster.waitFor("paused at 25% with writes accepted", timeout: .seconds(90)) {
                    $0.phase == .paused && $0.condition(.writesAccepted)?.status == "True"
                }
                let warnings = try await cluster.events().filter { $0["reason"]?.stringValue == "WriteRefused" }
                #expect(!warnings.isEmpty && warnings.count <= 2, "one Warning per new problem, not one per retry: \(warnings.count)")
            }
        }
    }
}
