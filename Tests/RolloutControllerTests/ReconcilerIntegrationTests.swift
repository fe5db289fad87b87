import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import TestSupport
import RolloutAPI
import RolloutController
import Testing

/// The whole controller (informers, work queue, reconciler, applier) against the in-process emulator over HTTP.
/// Analysis windows are a second or two of 1-second intervals with no warm-up and no lag; metrics are scripted.
@Suite(.timeLimit(.minutes(TestTimeouts.minutes(1))))
struct ReconcilerIntegrationTests {
    static let goodSamples = Array(repeating: Traffic.good, count: 40)

    @Test func firstDeployThenACanaryWalksItsStepsAndIsPromoted() async throws {
        try await Cluster.with(samples: Self.goodSamples) { cluster in
            try await cluster.withController {
                let steps: [RolloutStep] = [.weight(25), .analysis("1s"), .weight(50), .analysis("2s"), .weight(100)]
                try await cluster.create(clusterRollout(steps: steps))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                let first = try await cluster.status()
                #expect(first.stableVersion == "1.0.0")
                #expect(first.condition(.completed)?.status == "True")
                #expect(first.observedGeneration == 1)
                let stable = try #require(try await cluster.deployment(Fixture.stableName))
                #expect(stable.spec?.replicas == 4)
                #expect(stable.metadata.annotations?[FledgeNames.templateHashAnnotation] == hash("1.0.0"))
                #expect(stable.metadata.ownerReferences?.first?.uid == (try await cluster.rollout()).metadata.uid)
                #expect(stable.metadata.ownerReferences?.first?.controller == true)
                for service in ["shop", "shop-stable", "shop-canary"] {
                    let s: DynamicObject? = try? await cluster.client.get(.services, name: service, namespace: "default")
                    #expect(s != nil, "Service \(service)")
                }

                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("2.0.0 promoted") { $0.phase == .healthy && $0.stableVersion == "2.0.0" }
                let done = try await cluster.status()
                #expect(done.stableTemplateHash == hash("2.0.0"))
                #expect(done.canaryTemplateHash == nil)
                #expect(done.currentStepIndex == 5)
                #expect(done.lastAnalysis?.decision.outcome == .promote)
                #expect(done.lastAnalysis?.intervals == 3, "1 + 2 intervals, evidence carried from step 1 to step 3")
                #expect(cluster.metrics.baselineFetches == 1)
                #expect(cluster.metrics.provider.requests.count == 3)

                try await eventually("the canary scaled to 0") {
                    try await cluster.deployment(Fixture.canaryName)?.spec?.replicas == 0
                }
                let promoted = try #require(try await cluster.deployment(Fixture.stableName))
                #expect(promoted.metadata.annotations?[FledgeNames.templateHashAnnotation] == hash("2.0.0"))
                #expect(promoted.spec?.replicas == 4)
                let reasons = try await cluster.events().compactMap { $0["reason"]?.stringValue }
                for reason in ["StableCreated", "CanaryStarted", "AnalysisPassed", "Promoted"] {
                    #expect(reasons.contains(reason), "Event \(reason) in \(reasons)")
                }
                #expect(reasons.filter { $0 == "Promoted" }.count == 1)
                #expect(reasons.filter { $0 == "CanaryStarted" }.count == 1)
            }
        }
    }

    @Test func aBadCanaryIsRolledBack() async throws {
        try await Cluster.with(samples: Array(repeating: Traffic.bad, count: 10)) { cluster in
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(50), .analysis("3s"), .weight(100)]))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("rolled back") { $0.phase == .degraded }
                let status = try await cluster.status()
                #expect(status.condition(.progressing)?.reason == "AnalysisFailed")
                #expect(status.lastAnalysis?.decision.outcome == .rollback)
                #expect(status.stableVersion == "1.0.0")
                #expect(status.canaryWeight == 0)
                try await eventually("the canary scaled to 0") {
                    try await cluster.deployment(Fixture.canaryName)?.spec?.replicas == 0
                }
                let stable = try #require(try await cluster.deployment(Fixture.stableName))
                #expect(stable.spec?.replicas == 4)
                #expect(stable.metadata.annotations?[FledgeNames.templateHashAnnotation] == hash("1.0.0"))
                try await eventually("a Warning Event") {
                    try await cluster.events().contains { $0["type"] == "Warning" && $0["reason"] == "RolledBack" }
                }
                let warning = try await cluster.events().first { $0["type"] == "Warning" }
                #expect(warning?["message"]?.stringValue?.contains("error rate") == true)
                #expect(cluster.metrics.provider.requests.count == 1, "no interval after the rollback")
            }
        }
    }

    @Test func aRestartedControllerResumesFromStatus() async throws {
        try await Cluster.with(samples: Self.goodSamples) { cluster in
            let steps: [RolloutStep] = [.weight(25), .analysis("2s"), .pause(), .weight(50), .analysis("2s"), .weight(100)]
            let first = try await cluster.startController()
            do {
                try await cluster.create(clusterRollout(steps: steps))
                try await cluster.waitFor("first deploy healthy") { $0.phase == .healthy }
                try await cluster.clearRequestLog()
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("the pause after the first analysis") { $0.phase == .paused && $0.currentStepIndex == 2 }
            } catch {
                await first.stop()
                throw error
            }
            await first.stop()
            let before = try await cluster.status()
            #expect(before.lastAnalysis?.intervals == 2)
            #expect(before.canaryWeight == 25)

            try await cluster.withController {
                // The new controller picks up the paused step as it is.
                try await Task.sleep(for: .milliseconds(300))
                let resumed = try await cluster.status()
                #expect(resumed.phase == .paused)
                #expect(resumed.currentStepIndex == 2)
                #expect(resumed.canary?.analysis == before.canary?.analysis)

                try await cluster.annotate("promote:after-restart")
                try await cluster.waitFor("2.0.0 promoted after the restart") { $0.phase == .healthy && $0.stableVersion == "2.0.0" }
                let done = try await cluster.status()
                #expect(done.lastAnalysis?.intervals == 4, "the evidence went on from 2 intervals")
                #expect(done.lastAction?.id == "after-restart")
                #expect(cluster.metrics.baselineFetches == 1, "the analysis was not started again")
                try await eventually("the canary scaled to 0") {
                    try await cluster.deployment(Fixture.canaryName)?.spec?.replicas == 0
                }
            }

            // Every size the canary went through was written once, across both controllers.
            let writes = try await cluster.requestLog().filter {
                $0["method"] == "PATCH" && ($0["path"]?.stringValue ?? "").hasSuffix("/deployments/\(Fixture.canaryName)")
            }
            let sizes = writes.compactMap { $0["body"]?["spec"]?["replicas"]?.intValue }
            #expect(sizes.count == writes.count, "every canary write sets replicas")
            #expect(Set(sizes) == [1, 2, 4, 0], "25% and 50% of 4, then 100%, then 0: \(sizes)")
            for size in Set(sizes) {
                #expect(sizes.filter { $0 == size }.count == 1, "replicas \(size) written \(sizes.filter { $0 == size }.count) times: \(sizes)")
            }
        }
    }

    @Test func anInvalidRolloutIsReportedAndAValidOneBesideItProgresses() async throws {
        try await Cluster.with(samples: []) { cluster in
            try await cluster.withController {
                try await cluster.create(clusterRollout(name: "broken", steps: [.weight(150), .weight(100)]))
                try await cluster.create(clusterRollout(steps: [.weight(50), .weight(100)]))

                try await cluster.waitFor("InvalidSpec", name: "broken") { $0.condition(.invalidSpec)?.status == "True" }
                let broken = try await cluster.status("broken")
                #expect(broken.phase == .degraded)
                #expect(broken.condition(.invalidSpec)?.message?.contains("steps[0].setWeight") == true)
                try await eventually("the InvalidSpec Event") {
                    try await cluster.events(for: "broken").contains { $0["reason"] == "InvalidSpec" && $0["type"] == "Warning" }
                }

                try await cluster.waitFor("shop healthy") { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("shop promoted") { $0.phase == .healthy && $0.stableVersion == "2.0.0" }

                #expect(try await cluster.deployment("broken-stable") == nil, "nothing is created for an invalid Rollout")
                #expect(try await cluster.events(for: "broken").filter { $0["reason"] == "InvalidSpec" }.count == 1)
            }
        }
    }
}
