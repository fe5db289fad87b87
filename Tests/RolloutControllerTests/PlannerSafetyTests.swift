import CanaryAnalysis
import Foundation
import RolloutAPI
import RolloutController
import Testing

/// The eight ways the state machine could break its promise ("a canary is promoted only on evidence it actually
/// saw, and traffic never rests on something that cannot serve it"), one table test each.
///
/// Times as in PlannerAnalysisTests: interval 1 min, warm-up 30 s, lag 10 s; the canary settles at t = 2 s.
@Suite struct PlannerSafetyTests {
    static let twoAnalyses = [RolloutStep.weight(25), .analysis("1m"), .weight(50), .analysis("2m"), .weight(100)]

    /// Stable 1.0.0, canary 2.0.0 at its first analysis step with the analysis started (t = 32 s).
    func started(steps: [RolloutStep] = twoAnalyses, analysis: AnalysisSpec = analysisSpec(),
                 samples: [TrafficSample] = [], replicas: Int = 4) throws -> World {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: replicas, steps: steps, analysis: analysis))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2, 32] { world.reconcile(at: at(t)) }
        guard world.status.canary?.analysis?.state != nil else { throw ScriptError(description: "analysis not started: \(world.status)") }
        world.samples = samples
        world.events = []
        return world
    }

    /// Reconciles every `every` seconds from `from` until `done` or `limit` passes.
    @discardableResult
    func run(_ world: inout World, from: Double, every: Double = 10, limit: Int = 400, until done: (World) -> Bool) -> Double {
        var t = from
        for _ in 0..<limit {
            world.reconcile(at: at(t))
            if done(world) { return t }
            t += every
        }
        return t
    }

    /// A canary 2.0.0 paused at 25% on an HTTPRoute (4 replicas: one canary pod).
    func pausedOnTheRoute() throws -> World {
        var world = World(makeRollout(tag: "1.0.0", replicas: 4, steps: [.weight(25), .pause(), .weight(100)], routing: PlannerRoutingTests.gateway))
        world.route = .weights(RouteWeights(canary: [0]))
        world.reconcile(at: at(-1000))
        world.reconcile(at: at(-999))
        world.update(tag: "2.0.0")
        run(&world, from: 0, every: 1, until: { $0.phase == .paused })
        guard world.route?.canaryShare == 25 else { throw ScriptError(description: "not paused at 25% on the route: \(world.status)") }
        return world
    }

    // MARK: 1. A metrics outage never promotes

    @Test func aMetricsOutageAtTheSecondAnalysisStepHoldsAndNeverPromotesOnEarlierEvidence() throws {
        var world = try started(samples: [Traffic.good])
        // Step 2 (analysis 1m) passes on its own interval; step 4 (analysis 2m at 50%) sees nothing at all.
        run(&world, from: 102, until: { $0.step == 3 })
        #expect(world.eventReasons().contains("AnalysisPassed"))
        world.events = []
        let heldAt = run(&world, from: world.lastInput!.now.timeIntervalSince(t0) + 10, until: { $0.phase == .paused })
        #expect(world.step == 3, "held at the second analysis step, not promoted")
        #expect(world.status.conditionStatus(.metricsAvailable) == "False")
        // The scripted source says "no sample scripted": no series for the interval.
        #expect(world.status.conditionReason(.metricsAvailable) == MissingDataCause.noSeries.rawValue)
        #expect(world.status.conditionReason(.paused) == "MetricsUnavailable")
        #expect(world.eventReasons().filter { $0 == "MetricsUnavailable" }.count == 1, "one Warning per outage")
        #expect(world.status.canary?.analysis?.step?.dataIntervals == 0)
        // Held, not promoted, for as long as the outage lasts (up to the limit: 3 windows = 6 minutes).
        run(&world, from: heldAt + 10, limit: 25, until: { $0.step != 3 })
        #expect(world.step == 3)
        #expect(world.status.stableVersion == "1.0.0")
        #expect(world.eventReasons().filter { $0 == "MetricsUnavailable" }.count == 1)
    }

    @Test func whenDataReturnsTheStepGoesOnWithFreshIntervalsAndANormalEvent() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(100)])
        let heldAt = run(&world, from: 102, until: { $0.phase == .paused })
        #expect(world.status.conditionStatus(.metricsAvailable) == "False")
        world.samples = [Traffic.good]
        run(&world, from: heldAt + 10, until: { $0.status.stableVersion == "2.0.0" })
        #expect(world.status.stableVersion == "2.0.0")
        #expect(world.eventReasons().contains("MetricsRestored"))
        let promote = world.events.first { $0.reason == "AnalysisPassed" }
        #expect(promote?.message.contains("1 intervals") == true, "promoted on the interval after the outage: \(promote?.message ?? "-")")
    }

    @Test func anOutageLongerThanTheLimitRollsBackWithMetricsUnavailable() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(100)])
        run(&world, from: 102, limit: 200, until: { $0.phase == .degraded })
        #expect(world.status.conditionReason(.progressing) == StopReason.metricsUnavailable.rawValue)
        #expect(world.status.canary?.aborted?.reason == StopReason.metricsUnavailable.rawValue)
        #expect(world.canary?.specReplicas == 0)
        #expect(world.status.stableVersion == "1.0.0")
    }

    @Test func aFinalIntervalWithoutDataNeitherPromotesNorEndsTheWindow() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(100)])
        let plan = world.reconcile(at: at(102))
        #expect(world.requests.last == .observe(start: at(32), end: at(92), final: true))
        #expect(plan.status.lastAnalysis?.decision.outcome == .continue)
        #expect(plan.status.currentStepIndex == 1)
        #expect(plan.status.phase == .progressing)
        #expect(plan.status.canary?.analysis?.step?.consecutiveMissing == 1)
    }

    // MARK: 2. A vanished stable never promotes the canary

    @Test(arguments: ["abort:x", nil])
    func aDeletedStableIsRecreatedFromTheStoredTemplateNeverWithTheCanarys(_ action: String?) throws {
        var world = try started(samples: [])
        if let action {
            world.annotate(action)
            world.reconcile(at: at(40))
            #expect(world.phase == .degraded)
        }
        world.stable = nil
        world.settles = false
        let plan = world.reconcile(at: at(50))
        #expect(plan.intent(.stable)?.run?.hash == hash("1.0.0"), "stable comes back on its own template")
        #expect(plan.status.stableTemplateHash == hash("1.0.0"))
        #expect(plan.status.stableVersion == "1.0.0")
        #expect(plan.status.canaryTemplateHash == hash("2.0.0"))
        #expect(plan.status.phase != .healthy)
        #expect(plan.status.conditionReason(.progressing) == "StableMissing")
        #expect(plan.reasons.contains("StableMissing"))
        if action == nil {
            #expect((plan.intent(.canary)?.replicas ?? world.canary?.specReplicas ?? 0) > 0, "the canary keeps serving until stable can")
        }
        world.settle(.stable)
        let back = world.reconcile(at: at(51))
        #expect(back.status.stableVersion == "1.0.0")
        #expect(!back.reasons.contains("Promoted"))
    }

    @Test func withoutAStoredTemplateAMissingStableHoldsAndSaysWhatToDo() throws {
        var world = try started(samples: [])
        world.rollout.status?.stableTemplates = nil
        world.stable = nil
        let plan = world.reconcile(at: at(50))
        #expect(plan.intent(.stable) == nil, "nothing to recreate stable from; the canary is not made stable")
        #expect(plan.status.stableTemplateHash == hash("1.0.0"))
        #expect(plan.status.message?.contains("no stored template") == true)
        #expect(plan.events.first { $0.reason == "StableMissing" }?.kind == .warning)
    }

    @Test func aStatusWithoutStoredTemplatesLearnsStablesFromItsDeployment() throws {
        var world = try World.healthy(makeRollout(tag: "1.0.0"))
        world.rollout.status?.stableTemplates = nil
        world.stable?.podTemplate = ["spec": ["containers": [["name": "shop", "image": "ghcr.io/acme/shop:1.0.0"]]]]
        let plan = world.reconcile(at: at(0))
        #expect(plan.status.stableTemplates?.first?.hash == hash("1.0.0"))
    }

    // MARK: 3. Editing the steps

    @Test func shorteningTheListMidCanaryNeverPromotesAtOnce() throws {
        let seven = [RolloutStep.weight(5), .analysis("1m"), .weight(25), .analysis("1m"), .weight(50), .analysis("1m"), .weight(100)]
        var world = try started(steps: seven, samples: [Traffic.good])
        run(&world, from: 102, until: { $0.step == 3 })
        #expect(world.status.canaryWeight == 25)
        world.rollout.spec?.strategy?.canary?.steps = Array(seven.prefix(3))
        let edited = world.reconcile(at: at(300))
        #expect(edited.status.stableVersion == "1.0.0", "not promoted")
        #expect(edited.status.currentStepIndex ?? 9 < 2, "the new list starts again: \(edited.status.currentStepIndex ?? -1)")
        #expect((edited.status.canaryWeight ?? 100) <= 25)
        #expect(edited.reasons.contains("StepsChanged"))
        world.annotate("abort:after-edit")
        let aborted = world.reconcile(at: at(301))
        #expect(aborted.status.phase == .degraded)
        #expect(aborted.status.canary?.aborted?.reason == "Aborted")
    }

    @Test func anEditAfterTheCursorKeepsThePassedSteps() throws {
        var world = try started(samples: [Traffic.good])
        run(&world, from: 102, until: { $0.step == 3 })
        world.rollout.spec?.strategy?.canary?.steps = [.weight(25), .analysis("1m"), .weight(50), .analysis("5m"), .weight(100)]
        let edited = world.reconcile(at: at(300))
        #expect(edited.status.currentStepIndex == 3, "the current step changed: it starts again where it is")
        #expect(edited.status.canaryWeight == 50)
        world.rollout.spec?.strategy?.canary?.steps = [.weight(25), .analysis("1m"), .weight(50), .analysis("5m"), .weight(75), .weight(100)]
        let later = world.reconcile(at: at(301))
        #expect(later.status.currentStepIndex == 3)
        #expect(!later.reasons.contains("StepsChanged"), "a step after the cursor changed: nothing to redo")
    }

    @Test func anInvalidSpecMidCanaryHoldsUntilTheDeadlineThenRollsBack() throws {
        var world = try started(samples: [])
        world.rollout.spec?.strategy?.canary?.steps = [.weight(150)]
        let held = world.reconcile(at: at(40))
        #expect(held.status.conditionStatus(.invalidSpec) == "True")
        #expect(held.deployments.isEmpty)
        #expect(held.status.message?.contains("held") == true)
        #expect(held.requeueAfter != nil, "the deadline wakes it")
        let late = world.reconcile(at: at(40 + 601))
        #expect(late.status.canary?.aborted?.reason == StopReason.invalidSpec.rawValue)
        #expect(late.intent(.canary)?.replicas == 0)
        #expect(late.intent(.stable)?.replicas == 4)
        #expect(late.status.stableVersion == "1.0.0")
    }

    // MARK: 4. Traffic never exceeds what the canary can serve

    @Test func aRoutedCanaryThatLosesItsPodsLosesItsTrafficAndGetsItBack() throws {
        var world = try pausedOnTheRoute()
        #expect(world.route?.canaryShare == 25)
        world.canary?.availableReplicas = 0
        world.canary?.readyReplicas = 0
        world.canary?.updatedReplicas = 0
        world.settles = false
        let lost = world.reconcile(at: at(100))
        #expect(lost.routeWeight == 0, "no pod: no traffic")
        #expect(world.route?.canaryShare == 0)
        world.settle(.canary)
        let back = world.reconcile(at: at(101))
        #expect(back.routeWeight == 25)
    }

    // MARK: 5. Intervals never span an outage

    @Test func anIntervalNeverSpansALossOfAvailability() throws {
        var world = try started(samples: [Traffic.good, Traffic.good, Traffic.good])
        world.settles = false
        world.canary?.availableReplicas = 0
        world.reconcile(at: at(60))
        #expect(world.status.canary?.analysis?.lastIntervalEnd == nil, "no interval runs while the canary is unavailable")
        world.settle(.canary)
        world.reconcile(at: at(70))  // back: warming up again
        world.reconcile(at: at(101))
        let end = Timestamps.parse(world.status.canary?.analysis?.lastIntervalEnd)
        #expect(end.map { $0 >= at(70) } == true, "the next interval starts after the outage, not at \(String(describing: end))")
    }

    // MARK: 6. Contested routes and actions kept in git

    @Test func aRouteSetBackAgainAndAgainIsHeldAsContestedWithOneEvent() throws {
        var world = try pausedOnTheRoute()
        let deadlineFrom = world.status.canary?.progressSince
        world.events = []
        for t in [100.0, 200, 300, 400] {
            world.route = .weights(RouteWeights(canary: [0]))  // a GitOps sync puts it back
            world.reconcile(at: at(t))
        }
        #expect(world.status.canary?.hold == HoldReason.routeContested.rawValue)
        #expect(world.status.conditionReason(.trafficRouted) == HoldReason.routeContested.rawValue)
        #expect(world.status.phase == .paused)
        #expect(world.eventReasons().filter { $0 == "RouteContested" }.count == 1)
        #expect(world.eventReasons().filter { $0 == "TrafficDrift" }.count == 2)
        #expect(world.status.canary?.progressSince == deadlineFrom, "drift never resets the progress deadline")
        #expect(world.status.message?.contains("ignoreDifferences") == true)
        let quiet = world.reconcile(at: at(500))
        #expect(quiet.routeWeight == nil, "a contested route is not written")
        // The GitOps tool now ignores the weights; `kubectl fledge resume` sends reanalyze, which lifts the hold.
        world.annotate("reanalyze:fixed")
        let resumed = world.reconcile(at: at(600))
        #expect(resumed.status.canary?.hold == nil)
        #expect(resumed.routeWeight == 25, "the route is set again")
        #expect(resumed.status.conditionStatus(.trafficRouted) == "True")
    }

    @Test func anActionIdKeptInGitNeverFiresAgain() throws {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: [.weight(50), .pause(), .weight(100)]))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2] { world.reconcile(at: at(t)) }
        world.annotate("promote:one")
        world.reconcile(at: at(40))
        world.annotate("abort:two")
        world.reconcile(at: at(41))
        world.annotate("retry:three")
        world.reconcile(at: at(42))
        world.annotate("promote:one")  // the old annotation comes back from git
        let plan = world.reconcile(at: at(43))
        #expect(plan.status.lastAction?.id == "three")
        #expect(plan.status.currentStepIndex == 0 || plan.status.currentStepIndex == 1, "not promoted past the pause again")
        #expect(plan.status.actionIds == ["one", "two", "three"])
    }

    // MARK: 7. Problems show

    @Test func anUnreachablePrometheusAtBaselineTimeIsAConditionAndAnEvent() throws {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: [.weight(50), .analysis("1m"), .weight(100)]))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2] { world.reconcile(at: at(t)) }
        world.events = []
        var input = world.input(at: at(32))
        let first = RolloutPlanner.plan(input)
        guard case .start(_, let to)? = first.interval else { throw ScriptError(description: "no baseline asked for") }
        let analyzer = CanaryAnalyzer(configuration: try effective(world.rollout).analysis.configuration)
        let state = analyzer.start(baseline: Baseline())
        input.interval = IntervalResult(state: state, decision: analyzer.decide(state, final: false), end: to, observedInterval: false,
                                        baselineMissing: "Prometheus at http://prometheus.monitoring:9090 is unreachable: connection refused")
        let plan = RolloutPlanner.plan(input)
        #expect(plan.status.conditionStatus(.metricsAvailable) == "False")
        #expect(plan.status.conditionReason(.metricsAvailable) == MissingDataCause.prometheusUnreachable.rawValue)
        #expect(plan.status.message?.contains("unreachable") == true)
        #expect(plan.events.first { $0.reason == "MetricsUnavailable" }?.kind == .warning)
    }

    // MARK: 8. Resume after an inconclusive pause

    @Test func reanalyzeRunsTheInconclusiveWindowAgainOnFreshData() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(100)], analysis: analysisSpec(onInconclusive: "pause"),
                                samples: [Traffic.thin])
        world.reconcile(at: at(102))
        #expect(world.status.canary?.hold == HoldReason.analysisInconclusive.rawValue)
        world.samples = [Traffic.good]
        world.annotate("reanalyze:r1")
        let again = world.reconcile(at: at(200))
        #expect(again.status.canary?.hold == nil)
        #expect(again.status.lastAction?.action == "reanalyze")
        #expect(again.reasons.contains("Reanalyzing"))
        run(&world, from: 201, until: { $0.status.stableVersion == "2.0.0" })
        #expect(world.status.stableVersion == "2.0.0")
    }

    // Step numbers people read are 1-based.
    @Test func messagesCountStepsFromOne() throws {
        let world = try started()
        #expect(world.status.message?.contains("step 2 of 5") == true, "\(world.status.message ?? "")")
        #expect(world.status.currentStepIndex == 1)
    }
}
