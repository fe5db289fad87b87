import Foundation
import RolloutAPI
import RolloutController
import Testing

/// The planner with a router: exact weights on the route, the canary sized for its share, and the order of every
/// move (scale up before more traffic, less traffic before scale down, stable ready before the route returns).
@Suite struct PlannerRoutingTests {
    static let gateway = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "shop-route")))
    static let steps: [RolloutStep] = [.weight(5), .weight(25), .weight(50), .weight(100)]

    /// Stable 1.0.0 healthy with 3 replicas behind a route read as `route`; the template becomes 2.0.0.
    func started(replicas: Int = 3, steps: [RolloutStep] = steps, route: RouteObservation = .weights(RouteWeights(canary: [0, 0])),
                 analysis: AnalysisSpec = analysisSpec()) throws -> World {
        var world = World(makeRollout(tag: "1.0.0", replicas: replicas, steps: steps, analysis: analysis, routing: Self.gateway))
        world.route = route
        world.reconcile(at: at(-1000))
        world.reconcile(at: at(-999))
        #expect(world.phase == .healthy)
        world.events = []
        world.routeWrites = []
        world.update(tag: "2.0.0")
        world.settles = false
        return world
    }

    /// What each reconcile did, in order: the route's weight after it and the canary's replicas.
    struct Move: Equatable, CustomStringConvertible {
        var route: Int?
        var canary: Int
        var description: String { "route \(route.map(String.init) ?? "?") canary \(canary)" }
    }

    /// Reconciles once a second, settling the Deployments between passes, until the phase is `phase`.
    func run(_ world: inout World, until phase: RolloutPhase, from: Double = 0, limit: Int = 40) throws -> [Move] {
        var moves: [Move] = []
        var t = from
        repeat {
            world.reconcile(at: at(t))
            moves.append(Move(route: world.route?.weights?.highest, canary: world.canary?.specReplicas ?? 0))
            world.settle(.canary)
            world.settle(.stable)
            t += 1
            if moves.count > limit { throw ScriptError(description: "\(phase) not reached: \(moves) \(world.status)") }
        } while world.phase != phase
        return moves
    }

    @Test func aPromotionWalksTheRouteThroughEveryWeightExactlyWhileStableKeepsEveryReplica() throws {
        var world = try started()
        let first = world.reconcile(at: at(0))
        // 5% of 3 replicas: one canary pod (at least 1), stable untouched; the route waits for the pod.
        #expect(first.intent(.canary)?.replicas == 1)
        #expect(first.intent(.stable)?.replicas == 3)
        #expect(first.intent(.stable)?.run == nil)
        #expect(first.routeWeight == 0)
        #expect(world.routeWrites.isEmpty)
        #expect(first.status.canaryWeight == 5)
        #expect(first.status.actualCanaryWeight == 0)
        world.settle(.canary)
        _ = try run(&world, until: .healthy, from: 1)
        #expect(world.routeWrites == [5, 25, 50, 100, 0])
        #expect(world.stable?.specReplicas == 3)
        #expect(world.stable?.templateHash == hash("2.0.0"))
        #expect(world.canary?.specReplicas == 0)
        #expect(world.status.stableVersion == "2.0.0")
        #expect(world.status.actualCanaryWeight == 0)
        #expect(world.eventReasons().filter { $0 == "WeightSet" }.count == 4)
        #expect(world.eventReasons().last == "Promoted")
        #expect(world.status.conditionStatus(.trafficRouted) == "True")
    }

    @Test func theCanaryIsSizedCeilOfItsShareBeforeTheRouteSendsItMore() throws {
        var world = try started(replicas: 10, steps: [.weight(5), .weight(25), .weight(50), .pause()])
        world.reconcile(at: at(0))
        let moves = try run(&world, until: .paused, from: 1)
        // Every pass that raised the route found the canary already sized for the new share.
        var sizedFor = 0
        for m in moves {
            if let r = m.route, r > 0 { #expect(m.canary >= Int((Double(10 * r) / 100).rounded(.up)), "\(moves)") }
            sizedFor = max(sizedFor, m.canary)
        }
        #expect(world.canary?.specReplicas == 5)
        #expect(world.route?.weights?.canary == [50, 50])
        #expect(world.stable?.specReplicas == 10)
        #expect(sizedFor == 5)
    }

    @Test func theRouteMovesOnlyOnceTheCanaryPodsAreAvailable() throws {
        var world = try started()
        world.reconcile(at: at(0))
        for t in 1...5 {
            let plan = world.reconcile(at: at(Double(t)))  // the canary pod never becomes available
            #expect(plan.routeWeight == 0)
            #expect(plan.status.currentStepIndex == 0)
        }
        #expect(world.routeWrites.isEmpty)
        world.settle(.canary)
        let moved = world.reconcile(at: at(6))
        #expect(moved.routeWeight == 5)
        #expect(world.routeWrites == [5])
        #expect(moved.status.actualCanaryWeight == 5)
    }

    @Test func aRollbackReturnsTheRouteToZeroBeforeTheCanaryIsScaledDown() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(100)])
        world.samples = [Traffic.bad]
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))  // route 50
        #expect(world.routeWrites == [50])
        world.reconcile(at: at(2))  // warming up
        world.reconcile(at: at(32))  // baseline
        let failed = world.reconcile(at: at(102))
        #expect(failed.reasons.contains("RolledBack"))
        #expect(failed.routeWeight == 0)
        // The route still sent half the traffic when this plan was made: the canary keeps its pods.
        #expect(failed.intent(.canary) == nil || failed.intent(.canary)?.replicas == 2)
        #expect(world.canary?.specReplicas == 2)
        #expect(world.routeWrites == [50, 0])
        let next = world.reconcile(at: at(103))
        #expect(next.intent(.canary)?.replicas == 0)
        #expect(next.status.phase == .degraded)
        #expect(next.status.actualCanaryWeight == 0)
    }

    @Test func afterTheLastStepTheRouteReturnsToStableOnlyOnceStableRunsTheNewTemplate() throws {
        var world = try started(steps: [.weight(100)])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))  // route 100, canary 3
        #expect(world.route?.weights?.highest == 100)
        world.reconcile(at: at(2))  // promoting: stable takes the template
        #expect(world.stable?.templateHash == hash("2.0.0"))
        let waiting = world.reconcile(at: at(3))  // stable's new pods not available yet
        #expect(waiting.routeWeight == nil)
        #expect(world.route?.weights?.highest == 100)
        #expect(world.canary?.specReplicas == 3)
        world.settle(.stable)
        let back = world.reconcile(at: at(4))
        #expect(back.routeWeight == 0)
        #expect(world.canary?.specReplicas == 3)  // scaled down only once the route reads 0
        #expect(back.status.phase == .progressing)
        let done = world.reconcile(at: at(5))
        #expect(done.intent(.canary)?.replicas == 0)
        #expect(done.reasons.contains("Promoted"))
    }

    @Test func aMissingRouteHoldsTheCanaryWithAConditionAndOneEvent() throws {
        var world = try started()
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))  // route 5, step 1 (25%) begins
        world.route = .notFound("HTTPRoute shop-ns/shop-route not found")
        let held = world.reconcile(at: at(2))
        #expect(held.status.phase == .degraded)
        #expect(held.status.conditionStatus(.trafficRouted) == "False")
        #expect(held.status.conditionReason(.trafficRouted) == "RouteNotFound")
        #expect(held.status.conditionReason(.progressing) == "RouteUnavailable")
        #expect(held.reasons == ["TrafficRoutingFailed"])
        #expect(held.events.first?.kind == .warning)
        #expect(held.status.actualCanaryWeight == 0)
        let step = held.status.currentStepIndex
        let again = world.reconcile(at: at(3))
        #expect(again.events.isEmpty)
        #expect(again.status.currentStepIndex == step)
        #expect(again.intent(.canary)?.replicas ?? world.canary?.specReplicas == world.canary?.specReplicas)
        #expect(again.requeueAfter != nil)
        // The route comes back (as the user recreated it): the walk resumes and the weights are set.
        world.route = .weights(RouteWeights(canary: [0]))
        _ = try run(&world, until: .healthy, from: 4)
        #expect(world.status.conditionStatus(.trafficRouted) == "True")
        #expect(world.routeWrites.contains(100))
    }

    @Test func aRouteChangedOutsideFledgeIsSetBackWithAnEvent() throws {
        var world = try started(steps: [.weight(5), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        #expect(world.status.actualCanaryWeight == 5)
        world.route = .weights(RouteWeights(canary: [5, 40]))  // someone edited one rule
        let corrected = world.reconcile(at: at(2))
        #expect(corrected.routeWeight == 5)
        #expect(corrected.reasons == ["TrafficDrift"])
        #expect(corrected.events.first?.message.contains("40%") == true)
        #expect(world.route?.weights?.canary == [5, 5])
        // The canary was sized for the 40% it was sent until the route is back.
        #expect(corrected.intent(.canary)?.replicas == 2)
        let quiet = world.reconcile(at: at(3))
        #expect(quiet.events.isEmpty)
        world.settle(.canary)
        world.reconcile(at: at(4))
        world.settle(.canary)
        let paused = world.reconcile(at: at(5))
        // Paused indefinitely, yet the route is read again within a minute (the route watch, not the planner, is what
        // notices an edit at once: RoutedReconcilerTests).
        #expect(paused.status.phase == .paused)
        #expect(paused.events.isEmpty)
        #expect(paused.requeueAfter == .seconds(60))
    }

    @Test func theControllersOwnWriteIsNeverDriftEvenWhenItsStatusWriteWasLost() throws {
        var world = try started(steps: [.weight(5), .weight(25), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        world.reconcile(at: at(2))  // at 25% now: canary sized
        world.settle(.canary)
        let before = world.status  // actual 5 or 25 in status
        // This pass writes 25 to the route, but its status write fails (409): the status still says what it said.
        world.reconcile(at: at(3))
        world.rollout.status = before
        world.rollout.status?.actualCanaryWeight = 5
        world.annotate("abort:1")  // the next pass wants 0
        var input = world.input(at: at(4))
        input.routeLastWritten = world.routeWrites.last
        let plan = RolloutPlanner.plan(input)
        #expect(!plan.reasons.contains("TrafficDrift"), "\(plan.events)")
        // Someone else's 40 is drift, whatever was written before.
        input.route = .weights(RouteWeights(canary: [40]))
        #expect(RolloutPlanner.plan(input).reasons.contains("TrafficDrift"))
    }

    @Test func aRouteSwitchIsNotDrift() throws {
        var world = try started(steps: [.weight(25), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        world.reconcile(at: at(2))
        #expect(world.status.trafficRoute?.name == "shop-route")
        world.rollout.spec?.strategy?.canary?.trafficRouting = TrafficRouting(gatewayAPI: GatewayAPIRouting(httpRoute: NamespacedName(name: "new-route")))
        world.route = .weights(RouteWeights(canary: [0]))  // the new route, still all to stable
        let switched = world.reconcile(at: at(3))
        #expect(!switched.reasons.contains("TrafficDrift"))
        #expect(switched.routeWeight == 25)
        #expect(switched.status.trafficRoute?.name == "new-route")
    }

    @Test func aRouteWhoseWeightCannotBeReadIsRewritten() throws {
        var world = try started(steps: [.weight(25), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))  // route 25
        world.reconcile(at: at(1.5))  // read back: paused
        #expect(world.phase == .paused)
        world.route = .weights(RouteWeights(canary: []))  // the router's own object, its weight annotation garbled
        let repaired = world.reconcile(at: at(2))
        #expect(repaired.routeWeight == 25)
        #expect(repaired.reasons == ["TrafficDrift"])
        #expect(repaired.events.first?.message.contains("an unreadable weight") == true)
        #expect(world.routeWrites == [25, 25])
        #expect(repaired.status.phase == .paused)
    }

    @Test func anUnusableRouteNeverLetsTheCanaryShrinkEvenWhenAborted() throws {
        var world = try started(steps: [.weight(50), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        #expect(world.canary?.specReplicas == 2)
        world.route = .unusable("HTTPRoute shop-ns/shop-route rule 0 sends to shop-stable but not to shop-canary")
        world.annotate("abort:1")
        let aborted = world.reconcile(at: at(2))
        #expect(aborted.reasons.contains("Aborted"))
        #expect(aborted.reasons.contains("TrafficRoutingFailed"))
        #expect(aborted.intent(.canary) == nil || aborted.intent(.canary)?.replicas == 2)
        #expect(aborted.status.actualCanaryWeight == nil)
        #expect(aborted.status.conditionReason(.trafficRouted) == "RouteUnusable")
        world.route = .weights(RouteWeights(canary: [50]))
        world.reconcile(at: at(3))
        #expect(world.routeWrites.last == 0)
        let scaled = world.reconcile(at: at(4))
        #expect(scaled.intent(.canary)?.replicas == 0)
    }

    @Test func theStableDeploymentDeletedMidCanaryIsRecreatedOnItsOwnTemplateAndTheCanaryCarriesOn() throws {
        var world = try started(steps: [.weight(50), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        world.reconcile(at: at(2))
        #expect(world.route?.weights?.highest == 50)
        world.stable = nil  // someone deleted shop-stable
        let recreated = world.reconcile(at: at(3))
        #expect(recreated.reasons.contains("StableMissing"))
        #expect(recreated.intent(.stable)?.run?.hash == hash("1.0.0"), "stable comes back on the stable template, never the canary's")
        #expect(recreated.routeWeight == nil, "the new stable has no pod yet: the route keeps its split")
        #expect(world.route?.weights?.highest == 50)
        world.settle(.stable)
        let back = world.reconcile(at: at(5))
        #expect(back.status.stableVersion == "1.0.0")
        #expect(back.status.canaryVersion == "2.0.0")
        #expect(back.status.phase == .paused, "back at the canary's pause step")
        #expect(world.route?.weights?.highest == 50)
    }

    @Test func timeHeldForAMissingRouteDoesNotCountAgainstTheProgressDeadline() throws {
        var world = try started(steps: [.weight(25), .weight(50), .pause()])
        world.rollout.spec?.progressDeadlineSeconds = 60
        world.reconcile(at: at(0))
        world.route = .notFound("HTTPRoute shop-ns/shop-route not found")
        for t in stride(from: 10.0, through: 600, by: 10) { world.reconcile(at: at(t)) }
        #expect(world.phase == .degraded)
        #expect(world.status.conditionReason(.progressing) == "RouteUnavailable")
        world.route = .weights(RouteWeights(canary: [0]))
        let back = world.reconcile(at: at(601))
        #expect(!back.reasons.contains("RolledBack"), "\(back.reasons)")
        #expect(back.status.conditionReason(.progressing) == "CanaryProgressing")
        world.settle(.canary)
        _ = try run(&world, until: .paused, from: 602)
        #expect(world.route?.weights?.highest == 50)
    }

    @Test func aStoppedCanaryWithTheRouteAtZeroIsLeftToTheResync() throws {
        var world = try started(steps: [.weight(25), .pause()])
        world.reconcile(at: at(0))
        world.settle(.canary)
        world.reconcile(at: at(1))
        world.annotate("abort:1")
        world.reconcile(at: at(2))  // route to 0
        let scaled = world.reconcile(at: at(3))  // canary to 0
        #expect(scaled.intent(.canary)?.replicas == 0)
        let idle = world.reconcile(at: at(4))
        #expect(idle.requeueAfter == nil, "\(String(describing: idle.requeueAfter))")
    }

    @Test func withoutARouterThereIsNoRouteWeightAndNoCondition() throws {
        var world = try World.healthy(makeRollout())
        world.update(tag: "2.0.0")
        let plan = world.reconcile(at: at(0))
        #expect(plan.routeWeight == nil)
        #expect(plan.status.condition(.trafficRouted) == nil)
        #expect(plan.intent(.canary)?.replicas == 2)
    }

    @Test func aRouterNeedsAContainerPortForItsServices() throws {
        let rollout = makeRollout(ports: false, routing: Self.gateway)
        let plan = RolloutPlanner.plan(PlanInput(rollout: rollout, now: at(0)))
        #expect(plan.status.conditionStatus(.invalidSpec) == "True")
        #expect(plan.status.message?.contains("container port") == true)
    }
}
