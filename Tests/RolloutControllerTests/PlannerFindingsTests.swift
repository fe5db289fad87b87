import Foundation
import RolloutAPI
import RolloutController
import Testing

/// Behaviour that was wrong once (found by these tests, then fixed): pinned so it stays fixed.
@Suite struct PlannerFindingsTests {
    /// A canary at step 2 of [25%, analysis 1m, 50%, pause, 100%] with one interval of evidence.
    func midCanary() throws -> World {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4,
                                                  steps: [.weight(25), .analysis("1m"), .weight(50), .pause(), .weight(100)]))
        world.update(tag: "2.0.0")
        world.samples = [Traffic.good]
        for t in [0.0, 1, 2, 32, 102, 103, 104] { world.reconcile(at: at(t)) }
        guard world.step == 3, world.status.canary?.analysis?.state?.intervals == 1 else {
            throw ScriptError(description: "not at the pause with evidence: \(world.status)")
        }
        return world
    }

    /// A pass that touches nothing because a Deployment is not ours must not lose the canary's progress.
    @Test
    func aConflictKeepsTheCanarysProgress() throws {
        var world = try midCanary()
        let before = world.status
        world.canary?.ownedByRollout = false
        let conflict = world.reconcile(at: at(110))
        #expect(conflict.status.conditionReason(.progressing) == "ResourceConflict")
        #expect(conflict.status.currentStepIndex == before.currentStepIndex)
        #expect(conflict.status.canaryWeight == before.canaryWeight)
        #expect(conflict.status.canary?.analysis == before.canary?.analysis)

        // Ownership restored: the canary carries on where it was.
        world.canary?.ownedByRollout = true
        let resumed = world.reconcile(at: at(111))
        #expect(resumed.status.currentStepIndex == before.currentStepIndex)
        #expect(resumed.status.canary?.analysis?.state?.intervals == 1)
    }

    /// Once stable has been given the canary's template (full promotion in progress), an abort that scales the
    /// canary to 0 leaves stable running the aborted version while the status says stable is the old one.
    @Test
    func abortDuringFullPromotionLeavesStableOnTheStableVersion() throws {
        var world = try midCanary()
        world.settles = false
        world.annotate("promote-full:f")
        world.reconcile(at: at(110))
        #expect(world.stable?.templateHash == hash("2.0.0"), "stable is being updated to the new version")
        world.annotate("abort:a")
        let aborted = world.reconcile(at: at(111))
        // Either the abort is refused (promotion has started) or stable is put back on the stable template.
        let refused = aborted.status.phase != .degraded
        #expect(refused || world.stable?.templateHash == aborted.status.stableTemplateHash,
                "status: stable \(aborted.status.stableVersion ?? "-") / phase \(aborted.status.phase?.rawValue ?? "-"); stable Deployment runs \(world.stable?.templateHash == hash("2.0.0") ? "2.0.0" : "1.0.0")")
    }

    /// At 100% every pod is on the canary. Going back to the stable template must not remove them before stable has
    /// any available pod (capacity never dips, as on full promotion).
    @Test
    func abandoningAtFullWeightKeepsTheCanaryUntilStableIsAvailable() throws {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: [.weight(100), .pause()]))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2, 3] { world.reconcile(at: at(t)) }
        #expect(world.stable?.specReplicas == 0)
        #expect(world.canary?.specReplicas == 4)
        world.settles = false
        world.update(tag: "1.0.0")
        let back = world.reconcile(at: at(10))
        #expect(back.intent(.stable)?.replicas == 4)
        #expect(back.intent(.canary).map { $0.replicas > 0 } ?? true, "canary scaled to \(back.intent(.canary)?.replicas ?? -1) while stable has 0 available pods")
    }
}
