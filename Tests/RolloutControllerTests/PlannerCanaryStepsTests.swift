import Foundation
import RolloutAPI
import RolloutController
import Testing

/// A template change and the steps that carry no analysis: weights and pauses, the progress deadline, a new template
/// mid-canary, going back to stable, full promotion.
@Suite struct PlannerCanaryStepsTests {
    /// 20 replicas so 5% is one pod; stable 1.0.0 healthy; the template becomes 2.0.0.
    func startedCanary(steps: [RolloutStep] = [.weight(5), .weight(50), .weight(100)], replicas: Int = 20,
                       deadline: Int? = nil) throws -> World {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: replicas, steps: steps, progressDeadlineSeconds: deadline))
        world.update(tag: "2.0.0")
        world.settles = false
        return world
    }

    /// Reconciles once a second from `from` (Deployments settling at once) until the step is `step`.
    func run(_ world: inout World, untilStep step: Int, from: Double) throws -> Double {
        var t = from
        while world.step != step {
            world.reconcile(at: at(t))
            t += 1
            if t > from + 20 { throw ScriptError(description: "step \(step) not reached: \(world.status)") }
        }
        return t
    }

    @Test func aTemplateChangeStartsACanaryAtStepZeroWithOnePodOfTwenty() throws {
        var world = try startedCanary()
        let plan = world.reconcile(at: at(0))
        #expect(plan.reasons == ["CanaryStarted", "WeightSet"])
        #expect(plan.events.allSatisfy { $0.kind == .normal })
        #expect(plan.status.currentStepIndex == 0)
        #expect(plan.status.canaryWeight == 5)
        #expect(plan.status.canaryTemplateHash == hash("2.0.0"))
        #expect(plan.status.canaryVersion == "2.0.0")
        #expect(plan.status.stableVersion == "1.0.0")
        #expect(plan.status.stableTemplateHash == hash("1.0.0"))
        #expect(plan.status.phase == .progressing)
        #expect(plan.status.conditionReason(.progressing) == "CanaryProgressing")
        #expect(plan.status.conditionStatus(.completed) == "False")
        let canary = try #require(plan.intent(.canary))
        #expect(canary.replicas == 1)
        #expect(canary.run?.hash == hash("2.0.0"))
        #expect(canary.run?.podTemplate[path: ["metadata", "labels", FledgeNames.trackLabel]] == "canary")
        // Stable keeps all 20 until the canary pod is available; it is only scaled, never re-templated.
        let stable = try #require(plan.intent(.stable))
        #expect(stable.replicas == 20)
        #expect(stable.run == nil)
        #expect(plan.status.canary?.analysis == nil)
    }

    @Test func stableShrinksOnlyOnceTheCanaryIsAvailableAndTheStepAdvancesOnlyWhenSettled() throws {
        var world = try startedCanary()
        world.reconcile(at: at(0))
        // The canary exists but its pod is not available yet.
        let waiting = world.reconcile(at: at(1))
        #expect(waiting.intent(.stable)?.replicas == 20)
        #expect(waiting.status.currentStepIndex == 0)
        #expect(waiting.events.isEmpty)

        world.settle(.canary)
        let shrink = world.reconcile(at: at(2))
        #expect(shrink.intent(.stable)?.replicas == 19)
        #expect(shrink.status.currentStepIndex == 0, "stable has not scaled down yet: the step is not done")
        #expect(shrink.status.actualCanaryWeight == 4.8)  // 1 of 21 pods available

        world.settle(.stable)
        let next = world.reconcile(at: at(3))
        #expect(next.status.currentStepIndex == 1)
        #expect(next.status.canaryWeight == 50)
        #expect(next.reasons == ["WeightSet"])
        #expect(next.intent(.canary)?.replicas == 10)
        #expect(next.intent(.stable)?.replicas == 19, "stable waits for the 10 canary pods")
    }

    @Test func aStaleStableObservationDoesNotCountAsSettled() throws {
        var world = try startedCanary()
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        world.settle(.stable)
        // The Deployment controller has not observed the scale-down yet.
        world.stable?.generation += 1
        let plan = world.reconcile(at: at(2))
        #expect(plan.status.currentStepIndex == 0)
    }

    @Test func weightHundredAndFullPromotion() throws {
        var world = try startedCanary(steps: [.weight(50), .weight(100)], replicas: 4)
        world.settles = true
        var t = try run(&world, untilStep: 1, from: 0)
        // 100%: every pod on the canary; stable goes to 0 only once the 4 canary pods are available.
        #expect(world.canary?.specReplicas == 4)
        #expect(world.stable?.specReplicas == 2)
        world.settles = false
        let shrink = world.reconcile(at: at(t))
        #expect(shrink.intent(.stable)?.replicas == 0)
        #expect(shrink.status.currentStepIndex == 1)
        t += 1
        let promoting = world.reconcile(at: at(t))
        // All steps done: stable takes the new template at full size; the canary keeps serving meanwhile.
        #expect(promoting.status.currentStepIndex == 2)
        let stable = try #require(promoting.intent(.stable))
        #expect(stable.replicas == 4)
        #expect(stable.run?.hash == hash("2.0.0"))
        #expect(stable.run?.podTemplate[path: ["metadata", "labels", FledgeNames.trackLabel]] == "stable")
        #expect(promoting.intent(.canary).map { $0.replicas == 4 } ?? true, "the canary is not scaled down before stable is ready")
        #expect(promoting.status.phase == .progressing)
        #expect(promoting.status.stableVersion == "1.0.0")
        #expect(promoting.status.canaryWeight == 100)

        world.settle(.stable)
        let promoted = world.reconcile(at: at(t + 1))
        #expect(promoted.intent(.canary)?.replicas == 0)
        #expect(promoted.intent(.canary)?.run == nil)
        #expect(promoted.status.phase == .healthy)
        #expect(promoted.status.stableVersion == "2.0.0")
        #expect(promoted.status.stableTemplateHash == hash("2.0.0"))
        #expect(promoted.status.canaryTemplateHash == nil)
        #expect(promoted.status.canaryVersion == nil)
        #expect(promoted.status.canary == nil)
        #expect(promoted.status.conditionStatus(.completed) == "True")
        #expect(promoted.reasons == ["Promoted"])

        world.settle(.canary)
        let after = world.reconcile(at: at(t + 2))
        #expect(after.events.isEmpty)
        #expect(after.status.phase == .healthy)
        #expect(after.status.stableVersion == "2.0.0")
    }

    // MARK: Pauses

    @Test func aTimedPauseEndsAfterItsDurationAndWakesAtItsEnd() throws {
        var world = try startedCanary(steps: [.weight(50), .pause("30s"), .weight(100)], replicas: 4)
        world.settles = true
        world.reconcile(at: at(0))
        world.reconcile(at: at(1))
        let pausing = world.reconcile(at: at(2))  // settled: the pause starts now
        #expect(pausing.status.currentStepIndex == 1)
        #expect(pausing.status.phase == .progressing)
        #expect(pausing.status.canary?.stepStartedAt == Timestamps.millis(at(2)))
        let wake = try #require(pausing.requeueAfter)
        #expect(wake >= .seconds(30) && wake <= .seconds(30) + .milliseconds(10))

        let midway = world.reconcile(at: at(22))
        #expect(midway.status.currentStepIndex == 1)
        let rest = try #require(midway.requeueAfter)
        #expect(rest >= .seconds(10) && rest <= .seconds(10) + .milliseconds(10))
        // The split is held during the pause.
        #expect(midway.intent(.canary)?.replicas == 2)
        #expect(midway.intent(.stable)?.replicas == 2)

        let notYet = world.reconcile(at: at(31.9))
        #expect(notYet.status.currentStepIndex == 1)
        let done = world.reconcile(at: at(32))
        #expect(done.status.currentStepIndex == 2)
        #expect(done.status.canaryWeight == 100)
    }

    @Test func anOpenPauseWaitsForAPromoteAction() throws {
        var world = try startedCanary(steps: [.weight(50), .pause(), .weight(100)], replicas: 4)
        world.settles = true
        world.reconcile(at: at(0))
        world.reconcile(at: at(1))
        let paused = world.reconcile(at: at(2))
        #expect(paused.status.phase == .paused)
        #expect(paused.status.currentStepIndex == 1)
        #expect(paused.status.conditionStatus(.paused) == "True")
        #expect(paused.status.conditionReason(.paused) == "PauseStep")
        #expect(paused.status.conditionStatus(.progressing) == "Unknown")
        #expect(paused.requeueAfter == nil)

        // An hour later: still paused, nothing new.
        let later = world.reconcile(at: at(3600))
        #expect(later.status.phase == .paused)
        #expect(later.events.isEmpty)

        world.annotate("promote:p-1")
        let promoted = world.reconcile(at: at(3601))
        #expect(promoted.status.currentStepIndex == 2)
        #expect(promoted.status.canaryWeight == 100)
        #expect(promoted.status.lastAction?.action == "promote")
        #expect(promoted.status.lastAction?.id == "p-1")
        #expect(promoted.status.conditionStatus(.paused) == "False")
    }

    // MARK: Progress deadline

    @Test func aCanaryNotAvailableByTheDeadlineIsRolledBack() throws {
        var world = try startedCanary(steps: [.weight(25), .weight(100)], replicas: 4, deadline: 60)
        let first = world.reconcile(at: at(0))
        let wake = try #require(first.requeueAfter)
        #expect(wake >= .seconds(60) && wake <= .seconds(60) + .milliseconds(10))
        let before = world.reconcile(at: at(59))
        #expect(before.status.phase == .progressing)

        let stopped = world.reconcile(at: at(60))
        #expect(stopped.status.phase == .degraded)
        #expect(stopped.status.conditionStatus(.progressing) == "False")
        #expect(stopped.status.conditionReason(.progressing) == "ProgressDeadlineExceeded")
        #expect(stopped.status.canary?.aborted?.reason == "ProgressDeadlineExceeded")
        #expect(stopped.intent(.canary)?.replicas == 0)
        #expect(stopped.intent(.stable)?.replicas == 4)
        #expect(stopped.events.map(\.kind) == [.warning])
        #expect(stopped.status.canaryWeight == 0)

        let again = world.reconcile(at: at(61))
        #expect(again.events.isEmpty)
        #expect(again.status.phase == .degraded)
    }

    @Test func theDeploymentsOwnDeadlineAlsoRollsBack() throws {
        var world = try startedCanary(steps: [.weight(25), .weight(100)], replicas: 4)
        world.reconcile(at: at(0))
        world.canary?.deadlineExceeded = true
        let stopped = world.reconcile(at: at(5))
        #expect(stopped.status.conditionReason(.progressing) == "ProgressDeadlineExceeded")
        #expect(stopped.intent(.canary)?.replicas == 0)
    }

    @Test func theDeadlineCountsFromTheLastWeightChange() throws {
        var world = try startedCanary(steps: [.weight(25), .weight(50), .weight(100)], replicas: 4, deadline: 60)
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(50))
        world.settle(.stable)
        world.reconcile(at: at(55))  // step 1: 50%
        #expect(world.step == 1)
        let notYet = world.reconcile(at: at(100))
        #expect(notYet.status.phase == .progressing, "60 s from the change to 50%, not from the canary's start")
        let stopped = world.reconcile(at: at(115))
        #expect(stopped.status.phase == .degraded)
    }

    @Test func aCanaryThatStopsBeingAvailableLongAfterTheDeadlineGetsAFreshDeadline() throws {
        var world = try startedCanary(steps: [.weight(25), .analysis("30m"), .weight(100)], replicas: 4, deadline: 60)
        world.settles = true
        let t = try run(&world, untilStep: 1, from: 0)
        // Ten minutes into the analysis step a canary pod restarts: the canary is not available at its weight.
        world.settles = false
        world.canary?.availableReplicas = 0
        let flapped = world.reconcile(at: at(t + 600))
        #expect(flapped.status.phase == .progressing)
        #expect(flapped.status.canary?.aborted == nil, "not rolled back at once: the deadline counts from the flap")
        let stillDown = world.reconcile(at: at(t + 659))
        #expect(stillDown.status.canary?.aborted == nil)
        let stopped = world.reconcile(at: at(t + 661))
        #expect(stopped.status.canary?.aborted?.reason == "ProgressDeadlineExceeded")
    }

    // MARK: Template changes mid-canary

    @Test func aNewTemplateMidCanaryReplacesItFromStepZero() throws {
        var world = try startedCanary(steps: [.weight(50), .pause(), .weight(100)], replicas: 4)
        world.settles = true
        let t = try run(&world, untilStep: 1, from: 0)
        world.update(tag: "3.0.0")
        let replaced = world.reconcile(at: at(t))
        #expect(replaced.reasons.first == "CanaryReplaced")
        #expect(replaced.status.canaryVersion == "3.0.0")
        #expect(replaced.status.canaryTemplateHash == hash("3.0.0"))
        #expect(replaced.status.currentStepIndex == 0)
        #expect(replaced.status.stableVersion == "1.0.0")
        #expect(replaced.intent(.canary)?.run?.hash == hash("3.0.0"))
        #expect(replaced.status.canary?.stepStartedAt == Timestamps.millis(at(t)))
        #expect(replaced.status.canaryWeight == 50)
    }

    @Test func goingBackToTheStableTemplateAbandonsTheCanary() throws {
        var world = try startedCanary(steps: [.weight(50), .pause(), .weight(100)], replicas: 4)
        world.settles = true
        let t = try run(&world, untilStep: 1, from: 0)
        world.update(tag: "1.0.0")
        let back = world.reconcile(at: at(t))
        #expect(back.reasons == ["CanaryAbandoned"])
        // The canary keeps serving until stable is back at full size (capacity never dips), then goes to 0.
        #expect(back.intent(.canary) == nil)
        #expect(back.intent(.stable)?.replicas == 4)
        #expect(back.intent(.stable)?.run?.hash == hash("1.0.0"))
        #expect(back.status.canaryTemplateHash == nil)
        #expect(back.status.canaryVersion == nil)
        #expect(back.status.canary == nil)
        #expect(back.status.canaryWeight == 0)
        #expect(back.status.stableVersion == "1.0.0")

        // Stable is back at full size: healthy, reported once.
        let again = world.reconcile(at: at(t + 1))
        #expect(again.reasons == ["Healthy"])
        #expect(again.status.phase == .healthy)
        #expect(again.intent(.canary)?.replicas == 0)
        let settled = world.reconcile(at: at(t + 2))
        #expect(settled.events.isEmpty)
    }

    /// It once deployed the canary as stable (an unsafe promotion, asserted here as if it were right); a vanished
    /// stable is now recreated on its own template: PlannerSafetyTests.
    @Test func aMissingStableDeploymentIsRecreatedWithTheStableTemplate() throws {
        var world = try startedCanary(steps: [.weight(50), .weight(100)], replicas: 4)
        world.stable = nil
        let plan = world.reconcile(at: at(0))
        #expect(plan.reasons.contains("StableMissing"))
        #expect(plan.intent(.stable)?.run?.hash == hash("1.0.0"))
        #expect(plan.status.stableVersion == "1.0.0")
        #expect(plan.status.canaryTemplateHash == hash("2.0.0"))
    }
}
