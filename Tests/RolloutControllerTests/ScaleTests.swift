import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// The Rollout's scale subresource, as an autoscaler uses it: a new size mid-analysis re-splits the pods at the
/// step's weight, restarts only the interval in progress (an interval never spans a change of available replicas)
/// and keeps the step's window and evidence; the status reports the size and the selector.
@Suite(.timeLimit(.minutes(3)))
struct ScaleTests {
    @Test func aScaleMidAnalysisResplitsThePodsAndKeepsTheWindow() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(50), .analysis("6s"), .weight(100)]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy && $0.replicas == 4 }
                #expect(try await cluster.status().selector == "app=shop")
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("two intervals into the analysis", timeout: .seconds(30)) {
                    ($0.canary?.analysis?.step?.intervals ?? 0) >= 2
                }
                let before = try await cluster.status()
                let window = try #require(before.canary?.analysis?.windowStart)
                let intervals = before.canary?.analysis?.step?.intervals ?? 0

                // What an HPA does: write the scale subresource.
                let _: DynamicObject = try await cluster.client.patch(
                    Rollout.descriptor, name: Fixture.name, namespace: "default", .merge(["spec": ["replicas": 8]]), subresource: "scale",
                    options: WriteOptions(fieldManager: "horizontal-pod-autoscaler"))
                try await eventually("4 canary and 4 stable pods", timeout: .seconds(30)) {
                    let canary = try await cluster.deployment(Fixture.canaryName)?.spec?.replicas
                    let stable = try await cluster.deployment(Fixture.stableName)?.spec?.replicas
                    return canary == 4 && stable == 4
                }
                try await cluster.waitFor("the status at 8 pods", timeout: .seconds(30)) { $0.replicas == 8 }
                let after = try await cluster.status()
                // Still in the same step (a 6 s window that restarted its interval), the window and its count are kept;
                // a step that already moved on has started its own window, and the re-split is all there is to check.
                if after.currentStepIndex == before.currentStepIndex {
                    #expect(after.canary?.analysis?.windowStart == window, "the step's window is kept")
                    #expect((after.canary?.analysis?.step?.intervals ?? 0) >= intervals, "the intervals observed still count")
                }
                try await cluster.waitFor("2.0.0 promoted at 8 replicas", timeout: .seconds(60)) {
                    $0.phase == .healthy && $0.stableVersion == "2.0.0" && $0.replicas == 8
                }
                #expect(try await cluster.deployment(Fixture.stableName)?.spec?.replicas == 8)
            }
        }
    }
}
