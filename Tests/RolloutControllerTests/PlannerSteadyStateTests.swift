import Foundation
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// First apply, steady state, the template going back to stable, Deployments that are not ours, invalid specs.
@Suite struct PlannerSteadyStateTests {
    @Test func firstApplyCreatesStableAtFullSizeWithTheDecoratedTemplate() throws {
        let rollout = makeRollout(tag: "1.0.0", replicas: 4)
        let plan = RolloutPlanner.plan(PlanInput(rollout: rollout, now: at(0)))

        #expect(plan.deployments.count == 1)
        let stable = try #require(plan.intent(.stable))
        #expect(stable.replicas == 4)
        let run = try #require(stable.run)
        #expect(run.hash == hash("1.0.0"))
        #expect(run.version == "1.0.0")
        let labels = run.podTemplate[path: ["metadata", "labels"]]
        #expect(labels?["app"] == "shop")
        #expect(labels?[FledgeNames.rolloutLabel] == "shop")
        #expect(labels?[FledgeNames.trackLabel] == "stable")
        #expect(labels?[FledgeNames.versionLabel] == "1.0.0")
        let env = run.podTemplate[path: ["spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(env.contains(["name": "OTEL_RESOURCE_ATTRIBUTES", "value": "service.version=1.0.0,deployment.track=stable"]))
        #expect(plan.intent(.canary) == nil)

        #expect(plan.status.phase == .progressing)
        #expect(plan.status.stableTemplateHash == hash("1.0.0"))
        #expect(plan.status.stableVersion == "1.0.0")
        #expect(plan.status.canaryTemplateHash == nil)
        #expect(plan.status.observedGeneration == 1)
        #expect(plan.status.conditionStatus(.completed) == "False")
        #expect(plan.status.conditionStatus(.progressing) == "True")
        #expect(plan.reasons == ["StableCreated"])
        #expect(plan.interval == nil)
    }

    @Test func servicesAreCreatedWhenAContainerHasPorts() {
        let plan = RolloutPlanner.plan(PlanInput(rollout: makeRollout(ports: true), now: at(0)))
        #expect(Set(plan.services.map(\.name)) == ["shop", "shop-stable", "shop-canary"])
        #expect(plan.services.first { $0.name == "shop" }?.track == nil)
        #expect(plan.services.first { $0.name == "shop-stable" }?.track == .stable)
        #expect(plan.services.first { $0.name == "shop-canary" }?.track == .canary)
    }

    @Test func noServicesWithoutPortsAndNoneThatAlreadyExist() {
        let noPorts = RolloutPlanner.plan(PlanInput(rollout: makeRollout(ports: false), now: at(0)))
        #expect(noPorts.services.isEmpty)
        let some = RolloutPlanner.plan(PlanInput(rollout: makeRollout(ports: true), services: ["shop", "shop-canary"], now: at(0)))
        #expect(some.services.map(\.name) == ["shop-stable"])
    }

    @Test func becomesHealthyOnceStableIsSettledWithCompletedCondition() throws {
        var world = World(makeRollout(tag: "1.0.0"))
        world.settles = false
        world.reconcile(at: at(0))
        #expect(world.phase == .progressing)

        // Some pods available: still progressing.
        world.stable?.availableReplicas = 2
        world.stable?.updatedReplicas = 2
        let partial = world.reconcile(at: at(5))
        #expect(partial.status.phase == .progressing)
        #expect(partial.status.message?.contains("2 of 4") == true)
        #expect(partial.events.isEmpty)

        world.settle(.stable)
        let healthy = world.reconcile(at: at(10))
        #expect(healthy.status.phase == .healthy)
        #expect(healthy.reasons == ["Healthy"])
        #expect(healthy.status.conditionStatus(.completed) == "True")
        #expect(healthy.status.conditionReason(.completed) == "RolloutCompleted")
        #expect(healthy.status.conditionStatus(.available) == "True")
        #expect(healthy.status.conditionStatus(.progressing) == "False")
        #expect(healthy.status.conditionReason(.progressing) == "Completed")
        #expect(healthy.status.canary == nil)
        #expect(healthy.status.actualCanaryWeight == 0)
        // The intent is unchanged: nothing more to do.
        #expect(healthy.intent(.stable)?.replicas == 4)

        let again = world.reconcile(at: at(20))
        #expect(again.events.isEmpty)
        #expect(again.status == healthy.status, "a settled Rollout's status does not change")
    }

    @Test func conditionTransitionTimesMoveOnlyWhenTheConditionChanges() throws {
        var world = World(makeRollout())
        world.settles = false
        world.reconcile(at: at(0))
        let before = try #require(world.status.condition(.completed))
        world.reconcile(at: at(30))
        #expect(world.status.condition(.completed)?.lastTransitionTime == before.lastTransitionTime)
        world.settle(.stable)
        world.reconcile(at: at(60))
        let after = try #require(world.status.condition(.completed))
        #expect(after.status == "True")
        #expect(after.lastTransitionTime == Timestamps.seconds(at(60)))
        #expect(after.observedGeneration == 1)
    }

    @Test func pausedSteadyStateIsPausedByUserButStillComplete() throws {
        var world = try World.healthy(makeRollout())
        world.rollout.spec?.paused = true
        let plan = world.reconcile(at: at(0))
        #expect(plan.status.phase == .paused)
        #expect(plan.status.conditionReason(.paused) == "PausedByUser")
        #expect(plan.status.conditionStatus(.completed) == "True")
    }

    @Test func stableMissingAtItsProgressDeadlineIsDegraded() throws {
        var world = World(makeRollout(progressDeadlineSeconds: 60))
        world.settles = false
        world.reconcile(at: at(0))
        world.stable?.deadlineExceeded = true
        let plan = world.reconcile(at: at(61))
        #expect(plan.status.phase == .degraded)
        #expect(plan.status.conditionReason(.progressing) == "ProgressDeadlineExceeded")
        #expect(plan.events.filter { $0.kind == .warning }.map(\.reason) == ["ProgressDeadlineExceeded"])
        let again = world.reconcile(at: at(62))
        #expect(again.events.isEmpty)
    }

    // MARK: Not ours

    @Test(arguments: [Track.stable, .canary])
    func aDeploymentNotControlledByTheRolloutIsAConflictAndNothingIsTouched(track: Track) throws {
        var rollout = makeRollout(tag: "2.0.0")
        rollout.status = try World.healthy(makeRollout(tag: "1.0.0")).status
        let foreign = observed(track, hash: nil, replicas: 3, owned: false)
        let input = PlanInput(rollout: rollout, stable: track == .stable ? foreign : observed(.stable, hash: hash("1.0.0"), replicas: 4),
                              canary: track == .canary ? foreign : nil, now: at(0))
        let plan = RolloutPlanner.plan(input)
        #expect(plan.deployments.isEmpty)
        #expect(plan.services.isEmpty)
        #expect(plan.interval == nil)
        #expect(plan.status.phase == .degraded)
        #expect(plan.status.conditionReason(.progressing) == "ResourceConflict")
        #expect(plan.status.message?.contains(foreign.name) == true)
        #expect(plan.events.map(\.reason) == ["ResourceConflict"])
        #expect(plan.events.first?.kind == .warning)

        var next = input
        next.rollout.status = plan.status
        let again = RolloutPlanner.plan(next)
        #expect(again.events.isEmpty, "the conflict is reported once")
        #expect(again.deployments.isEmpty)
    }

    // MARK: Invalid spec

    @Test func anInvalidSpecIsReportedOnceAndNothingOwnedIsTouched() throws {
        let rollout = makeRollout(steps: [.weight(150), .analysis("5m")])
        let input = PlanInput(rollout: rollout, stable: observed(.stable, hash: hash("1.0.0"), replicas: 4), now: at(0))
        let plan = RolloutPlanner.plan(input)
        #expect(plan.deployments.isEmpty)
        #expect(plan.services.isEmpty)
        #expect(plan.interval == nil)
        #expect(plan.status.phase == .degraded)
        let condition = try #require(plan.status.condition(.invalidSpec))
        #expect(condition.status == "True")
        #expect(condition.reason == "InvalidSpec")
        #expect(condition.message?.contains("spec.strategy.canary.steps[0].setWeight") == true)
        #expect(plan.events.count == 1)
        #expect(plan.events.first?.kind == .warning)
        #expect(plan.events.first?.reason == "InvalidSpec")

        var next = input
        next.rollout.status = plan.status
        next.now = at(30)
        let again = RolloutPlanner.plan(next)
        #expect(again.events.isEmpty, "not repeated while the status says the same")
        #expect(again.deployments.isEmpty)

        // Fixing the spec clears the condition.
        next.rollout = makeRollout(status: again.status)
        let fixed = RolloutPlanner.plan(next)
        #expect(fixed.status.condition(.invalidSpec) == nil)
        #expect(fixed.status.phase != .degraded)
    }

    @Test func aDifferentProblemIsReportedAgain() {
        let first = RolloutPlanner.plan(PlanInput(rollout: makeRollout(steps: [.weight(150)]), now: at(0)))
        let second = RolloutPlanner.plan(PlanInput(rollout: makeRollout(steps: [.weight(-1)], status: first.status), now: at(1)))
        #expect(second.events.map(\.reason) == ["InvalidSpec"])
    }

    @Test func aSpecThatCouldNotBeDecodedIsInvalid() throws {
        var json = try JSONValue(encoding: makeRollout())
        json["spec"]?["replicas"] = "four"
        let rollout = try json.decode(as: Rollout.self)
        let plan = RolloutPlanner.plan(PlanInput(rollout: rollout, now: at(0)))
        #expect(plan.status.conditionStatus(.invalidSpec) == "True")
        #expect(plan.status.condition(.invalidSpec)?.message?.contains("spec.replicas") == true)
        #expect(plan.deployments.isEmpty)
    }
}
