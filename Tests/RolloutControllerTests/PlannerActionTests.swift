import CanaryAnalysis
import Foundation
import RolloutAPI
import RolloutController
import Testing

/// One-shot actions from the `fledge.dev/action` annotation: acted on once per id, recorded in `status.lastAction`.
@Suite struct PlannerActionTests {
    /// Stable 1.0.0, canary 2.0.0 at step 1 (a 1-minute analysis) at 50% of 4, analysis started at t = 32.
    func inAnalysis(samples: [TrafficSample] = []) throws -> World {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: [.weight(50), .analysis("1m"), .weight(100)]))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2, 32] { world.reconcile(at: at(t)) }
        guard world.step == 1, world.status.canary?.analysis?.state != nil else {
            throw ScriptError(description: "analysis not started: \(world.status)")
        }
        world.samples = samples
        world.events = []
        world.requests = []
        return world
    }

    @Test func abortStopsTheCanary() throws {
        var world = try inAnalysis()
        world.annotate("abort:a1")
        let plan = world.reconcile(at: at(40))
        #expect(plan.status.phase == .degraded)
        #expect(plan.status.conditionReason(.progressing) == "Aborted")
        #expect(plan.status.canary?.aborted?.reason == "Aborted")
        #expect(plan.intent(.canary)?.replicas == 0)
        #expect(plan.intent(.stable)?.replicas == 4)
        #expect(plan.status.lastAction?.action == "abort")
        #expect(plan.status.lastAction?.id == "a1")
        #expect(plan.status.lastAction?.time == Timestamps.seconds(at(40)))
        #expect(plan.events.map(\.reason) == ["Aborted"])
        #expect(plan.events.first?.kind == .warning)
        #expect(plan.interval == nil)

        // The annotation stays; the id was acted on: nothing happens again, and no analysis runs.
        let later = world.reconcile(at: at(200))
        #expect(later.events.isEmpty)
        #expect(later.status.lastAction == plan.status.lastAction)
        #expect(world.requests.isEmpty)
    }

    @Test func retryAfterAbortStartsAgainFromStepZeroWithFreshEvidence() throws {
        var world = try inAnalysis(samples: [Traffic.good])
        world.annotate("abort:a1")
        world.reconcile(at: at(40))
        world.annotate("retry:r1")
        let plan = world.reconcile(at: at(50))
        #expect(plan.events.map(\.reason).contains("Retried"))
        #expect(plan.status.lastAction?.action == "retry")
        #expect(plan.status.currentStepIndex == 0)
        #expect(plan.status.canaryWeight == 50)
        #expect(plan.status.canary?.aborted == nil)
        #expect(plan.status.canary?.analysis == nil, "the evidence starts over")
        #expect(plan.status.phase == .progressing)
        #expect(plan.intent(.canary)?.replicas == 2)
        #expect(plan.intent(.canary)?.run?.hash == hash("2.0.0"))

        // The analysis starts again with a new baseline.
        for t in [51.0, 52, 53, 90] { world.reconcile(at: at(t)) }
        #expect(world.requests.contains { if case .start = $0 { true } else { false } })
    }

    @Test func retryWithNothingStoppedIsRecordedWithAWarning() throws {
        var world = try inAnalysis()
        world.annotate("retry:r0")
        let plan = world.reconcile(at: at(40))
        #expect(plan.status.lastAction?.action == "retry")
        #expect(plan.status.lastAction?.message?.isEmpty == false)
        #expect(plan.events.map(\.reason) == ["ActionIgnored"])
        #expect(plan.events.first?.kind == .warning)
        #expect(plan.status.currentStepIndex == 1)
        #expect(plan.status.canary?.analysis?.state != nil)
    }

    @Test func promoteFinishesTheAnalysisStep() throws {
        var world = try inAnalysis()
        world.annotate("promote:p1")
        let plan = world.reconcile(at: at(40))
        #expect(plan.status.currentStepIndex == 2)
        #expect(plan.status.canaryWeight == 100)
        #expect(plan.status.lastAction?.action == "promote")
        #expect(world.requests.isEmpty)
    }

    @Test func promoteFullSkipsEveryStepAndPromotesOnceStableIsSettled() throws {
        var world = try inAnalysis()
        world.settles = false
        world.annotate("promote-full:f1")
        let plan = world.reconcile(at: at(40))
        #expect(plan.reasons == ["PromotedFull"])
        #expect(plan.status.lastAction?.action == "promote-full")
        #expect(plan.status.currentStepIndex == 3)
        let stable = try #require(plan.intent(.stable))
        #expect(stable.run?.hash == hash("2.0.0"))
        #expect(stable.replicas == 4)
        #expect(plan.intent(.canary).map { $0.replicas == 2 } ?? true, "the canary keeps serving until stable is ready")
        #expect(plan.status.phase == .progressing)
        #expect(plan.status.stableVersion == "1.0.0")

        world.settle(.stable)
        let done = world.reconcile(at: at(45))
        #expect(done.intent(.canary)?.replicas == 0)
        #expect(done.status.phase == .healthy)
        #expect(done.status.stableVersion == "2.0.0")
        #expect(done.status.stableTemplateHash == hash("2.0.0"))
        #expect(done.status.canaryTemplateHash == nil)
        #expect(done.reasons == ["Promoted"])
        #expect(done.status.lastAction?.id == "f1")
    }

    @Test func anActionIdAlreadyRecordedIsIgnored() throws {
        var world = try inAnalysis()
        world.rollout.status?.lastAction = ActionRecord(action: "abort", id: "old", time: Timestamps.seconds(at(-500)))
        world.annotate("abort:old")
        let plan = world.reconcile(at: at(40))
        #expect(plan.status.phase == .progressing)
        #expect(plan.status.canary?.aborted == nil)
        #expect(plan.events.isEmpty)
        #expect(plan.status.lastAction?.time == Timestamps.seconds(at(-500)))
    }

    @Test func theSameIdWithAnotherVerbIsStillTheSameAction() throws {
        var world = try inAnalysis()
        world.annotate("promote:x")
        world.reconcile(at: at(40))
        #expect(world.step == 2)
        world.annotate("abort:x")
        let plan = world.reconcile(at: at(41))
        #expect(plan.status.canary?.aborted == nil, "each id is acted on once")
    }

    @Test(arguments: ["promote", "launch:1", "abort:", ""])
    func aMalformedAnnotationIsRecordedAsInvalidAndWarnedOnce(value: String) throws {
        var world = try inAnalysis()
        world.annotate(value)
        let plan = world.reconcile(at: at(40))
        #expect(plan.status.lastAction?.action == "invalid")
        #expect(plan.status.lastAction?.id == value)
        #expect(plan.status.lastAction?.message?.isEmpty == false)
        #expect(plan.events.map(\.reason) == ["InvalidAction"])
        #expect(plan.events.first?.kind == .warning)
        #expect(plan.status.currentStepIndex == 1, "nothing else changes")

        let again = world.reconcile(at: at(41))
        #expect(again.events.isEmpty)
        #expect(again.status.lastAction == plan.status.lastAction)
    }

    @Test func anActionWithNoCanaryIsRecordedAndIgnored() throws {
        var world = try World.healthy(makeRollout())
        world.annotate("abort:nothing")
        let plan = world.reconcile(at: at(0))
        #expect(plan.status.phase == .healthy)
        #expect(plan.status.lastAction?.action == "abort")
        #expect(plan.events.map(\.reason) == ["ActionIgnored"])
        let again = world.reconcile(at: at(1))
        #expect(again.events.isEmpty)
    }

    @Test func promoteAfterARollbackIsRefusedUntilRetried() throws {
        var world = try inAnalysis(samples: [Traffic.bad])
        world.reconcile(at: at(102))
        #expect(world.phase == .degraded)
        world.annotate("promote:p2")
        let plan = world.reconcile(at: at(110))
        #expect(plan.status.phase == .degraded)
        #expect(plan.reasons == ["ActionIgnored"])
        #expect(plan.intent(.canary)?.replicas ?? 0 == 0)
        #expect(plan.status.stableVersion == "1.0.0")
    }
}
