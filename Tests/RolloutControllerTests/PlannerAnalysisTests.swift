import CanaryAnalysis
import Foundation
import RolloutAPI
import RolloutController
import Testing

/// Analysis steps: warm-up, baseline, intervals after end + lag, the window's final interval, each decision and each
/// inconclusive policy, evidence across steps, interval restarts.
///
/// Times: the canary settles at 50% (2 of 4 pods) at t = 2 s; warm-up 30 s, interval 1 min, lag 10 s.
@Suite struct PlannerAnalysisTests {
    static let window3 = [RolloutStep.weight(50), .analysis("3m"), .weight(100)]
    static let window1 = [RolloutStep.weight(50), .analysis("1m"), .weight(100)]

    /// Stable 1.0.0, canary 2.0.0 settled at 50%, at the analysis step (not yet warmed up).
    func atAnalysis(steps: [RolloutStep] = window3, analysis: AnalysisSpec = analysisSpec(),
                    samples: [TrafficSample] = []) throws -> World {
        var world = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: steps, analysis: analysis))
        world.update(tag: "2.0.0")
        world.reconcile(at: at(0))  // canary 2
        world.reconcile(at: at(1))  // stable 2
        world.reconcile(at: at(2))  // settled: step 1, warming up
        guard world.step == 1 else { throw ScriptError(description: "not at the analysis step: \(world.status)") }
        world.samples = samples
        world.events = []
        return world
    }

    /// The analysis started at t = 32 s (baseline fetched); first interval (32, 92] due at 102.
    func started(steps: [RolloutStep] = window3, analysis: AnalysisSpec = analysisSpec(),
                 samples: [TrafficSample] = []) throws -> World {
        var world = try atAnalysis(steps: steps, analysis: analysis, samples: samples)
        world.reconcile(at: at(32))
        guard world.status.canary?.analysis?.state != nil else { throw ScriptError(description: "analysis not started") }
        return world
    }

    @Test func warmUpThenBaselineThenIntervalsAfterEndPlusLag() throws {
        var world = try atAnalysis(samples: [Traffic.good, Traffic.good, Traffic.good])
        #expect(world.status.canary?.availableSince == Timestamps.millis(at(2)))

        let warming = world.reconcile(at: at(31))
        #expect(world.requests.isEmpty)
        #expect(warming.status.phase == .progressing)
        #expect(warming.requeueAfter.map { $0 <= .seconds(1) + .milliseconds(10) } == true)

        let start = world.reconcile(at: at(32))
        // Stable's baseline: the 10 intervals (at least a minute) before now − lag.
        #expect(world.requests == [.start(baselineFrom: at(22 - 600), to: at(22))])
        let analysis = try #require(start.status.canary?.analysis)
        #expect(analysis.templateHash == hash("2.0.0"))
        #expect(analysis.state?.intervals == 0)
        #expect(analysis.lastIntervalEnd == Timestamps.millis(at(32)))
        #expect(start.status.lastAnalysis == nil, "starting is not a decision")
        let wake = try #require(start.requeueAfter)
        #expect(wake >= .seconds(70) && wake <= .seconds(70) + .milliseconds(10))

        world.reconcile(at: at(101))
        #expect(world.requests.count == 1, "the interval's data is not certain before end + lag")

        let first = world.reconcile(at: at(102))
        #expect(world.requests.last == .observe(start: at(32), end: at(92), final: false))
        #expect(first.status.lastAnalysis?.decision.outcome == .continue)
        #expect(first.status.lastAnalysis?.intervals == 1)
        #expect(first.status.lastAnalysis?.stepIndex == 1)
        #expect(first.status.lastAnalysis?.canaryVersion == "2.0.0")
        #expect(first.status.canary?.analysis?.lastIntervalEnd == Timestamps.millis(at(92)))
        #expect(first.status.currentStepIndex == 1)

        world.reconcile(at: at(162))
        #expect(world.requests.last == .observe(start: at(92), end: at(152), final: false))
        let last = world.reconcile(at: at(222))
        #expect(world.requests.last == .observe(start: at(152), end: at(212), final: true))
        #expect(world.requests.count == 4)
        #expect(last.status.lastAnalysis?.decision.outcome == .promote)
        #expect(last.status.lastAnalysis?.intervals == 3)
        #expect(last.reasons == ["AnalysisPassed", "WeightSet"])
        #expect(last.status.currentStepIndex == 2)
        #expect(last.status.canaryWeight == 100)
    }

    @Test func aRollbackDecisionStopsTheCanary() throws {
        var world = try started(samples: [Traffic.bad])
        let plan = world.reconcile(at: at(102))
        #expect(world.requests.last == .observe(start: at(32), end: at(92), final: false))
        #expect(plan.status.lastAnalysis?.decision.outcome == .rollback)
        #expect(plan.status.phase == .degraded)
        #expect(plan.status.conditionStatus(.progressing) == "False")
        #expect(plan.status.conditionReason(.progressing) == "AnalysisFailed")
        #expect(plan.status.canary?.aborted?.reason == "AnalysisFailed")
        #expect(plan.status.currentStepIndex == 1)
        #expect(plan.status.canaryWeight == 0)
        #expect(plan.intent(.canary)?.replicas == 0)
        #expect(plan.intent(.stable)?.replicas == 4)
        #expect(plan.events.count == 1)
        let event = try #require(plan.events.first)
        #expect(event.kind == .warning)
        #expect(event.message.contains("error rate"), "the Event names the failing check: \(event.message)")
        // Stable keeps its version; the canary's stays recorded.
        #expect(plan.status.stableVersion == "1.0.0")
        #expect(plan.status.canaryVersion == "2.0.0")

        // Later reconciles neither analyse nor report again.
        let later = world.reconcile(at: at(400))
        #expect(later.events.isEmpty)
        #expect(later.interval == nil)
        #expect(world.requests.count == 2)
        #expect(later.status.phase == .degraded)
    }

    @Test func theFinalIntervalIsTheLastOfTheWindow() throws {
        var world = try started(steps: Self.window1, samples: [Traffic.good])
        let plan = world.reconcile(at: at(102))
        #expect(world.requests.last == .observe(start: at(32), end: at(92), final: true))
        #expect(plan.status.lastAnalysis?.decision.outcome == .promote)
        #expect(plan.status.currentStepIndex == 2)
    }

    @Test func theWindowIsDurationOverIntervalIntervals() throws {
        // 5 minutes of 3-minute intervals: 2 intervals (the nearest whole number).
        var world = try started(steps: [.weight(50), .analysis("5m"), .weight(100)], analysis: analysisSpec(interval: "3m"),
                                samples: [Traffic.good, Traffic.good])
        world.reconcile(at: at(221))
        #expect(world.requests.count == 1)
        world.reconcile(at: at(222))
        #expect(world.requests.last == .observe(start: at(32), end: at(212), final: false))
        world.reconcile(at: at(402))
        #expect(world.requests.last == .observe(start: at(212), end: at(392), final: true))
        #expect(world.step == 2)
    }

    // MARK: Inconclusive

    @Test func inconclusiveWithPauseHoldsUntilPromoted() throws {
        var world = try started(steps: Self.window1, analysis: analysisSpec(onInconclusive: "pause"), samples: [Traffic.thin])
        let plan = world.reconcile(at: at(102))
        #expect(plan.status.lastAnalysis?.decision.outcome == .inconclusive)
        #expect(plan.status.phase == .paused)
        #expect(plan.status.conditionReason(.paused) == "AnalysisInconclusive")
        #expect(plan.status.canary?.hold == "AnalysisInconclusive")
        #expect(plan.status.currentStepIndex == 1)
        #expect(plan.events.map(\.reason) == ["AnalysisInconclusive"])
        #expect(plan.events.first?.kind == .warning)
        #expect(plan.intent(.canary)?.replicas == 2, "the split is held")

        let later = world.reconcile(at: at(500))
        #expect(later.status.phase == .paused)
        #expect(later.events.isEmpty)
        #expect(later.interval == nil)
        #expect(world.requests.count == 2)

        world.annotate("promote:go-on")
        let promoted = world.reconcile(at: at(501))
        #expect(promoted.status.currentStepIndex == 2)
        #expect(promoted.status.canary?.hold == nil)
        #expect(promoted.status.phase == .progressing)
    }

    /// The policy's extension first; then, while the analysis is on course, the step extends by itself up to three
    /// times its window; then it pauses.
    @Test func inconclusiveWithExtendGrantsOneMoreWindowThenPauses() throws {
        var world = try started(steps: Self.window1, analysis: analysisSpec(onInconclusive: "extend"),
                                samples: [Traffic.thin, Traffic.thin, Traffic.thin])
        let extended = world.reconcile(at: at(102))
        #expect(extended.status.lastAnalysis?.decision.outcome == .inconclusive)
        #expect(extended.reasons == ["AnalysisExtended"])
        #expect(extended.status.phase == .progressing)
        #expect(extended.status.canary?.extensions == 1)
        #expect(extended.status.currentStepIndex == 1)

        let byItself = world.reconcile(at: at(162))
        #expect(world.requests.last == .observe(start: at(92), end: at(152), final: true))
        if byItself.status.canary?.selfExtension != nil {
            #expect(byItself.reasons == ["AnalysisExtended"])
            #expect(byItself.events.first?.message.contains("on course") == true)
            #expect(byItself.status.canary?.selfExtension == 1, "at most 3 × the window of 1 interval")
        }
        let paused = byItself.status.canary?.selfExtension == nil ? byItself : world.reconcile(at: at(222))
        #expect(paused.status.phase == .paused)
        #expect(paused.status.conditionReason(.paused) == "AnalysisInconclusive")
        #expect(paused.reasons == ["AnalysisInconclusive"])
    }

    @Test func inconclusiveWithExtendThenEnoughEvidencePromotes() throws {
        var world = try started(steps: Self.window1, analysis: analysisSpec(onInconclusive: "extend", maxExtensions: 2),
                                samples: [Traffic.thin, Traffic.good])
        world.reconcile(at: at(102))
        let plan = world.reconcile(at: at(162))
        #expect(plan.status.lastAnalysis?.decision.outcome == .promote)
        #expect(plan.status.currentStepIndex == 2)
        #expect(plan.status.canary?.extensions == nil, "extensions belong to the step")
    }

    @Test func inconclusiveWithRollbackStopsTheCanary() throws {
        var world = try started(steps: Self.window1, analysis: analysisSpec(onInconclusive: "rollback"), samples: [Traffic.thin])
        let plan = world.reconcile(at: at(102))
        #expect(plan.status.phase == .degraded)
        #expect(plan.status.conditionReason(.progressing) == "AnalysisInconclusive")
        #expect(plan.intent(.canary)?.replicas == 0)
        #expect(plan.events.map(\.kind) == [.warning])
    }

    @Test func inconclusiveWithPromoteGoesOnWithAWarning() throws {
        var world = try started(steps: Self.window1, analysis: analysisSpec(onInconclusive: "promote"), samples: [Traffic.thin])
        let plan = world.reconcile(at: at(102))
        #expect(plan.status.currentStepIndex == 2)
        #expect(plan.status.canaryWeight == 100)
        #expect(plan.events.first { $0.reason == "AnalysisInconclusive" }?.kind == .warning)
    }

    @Test func noDataIsNeverAPass() throws {
        var world = try started(steps: Self.window1, samples: [])
        let plan = world.reconcile(at: at(102))
        #expect(plan.status.lastAnalysis?.decision.outcome == .continue, "an interval without data does not end the window")
        #expect(plan.status.currentStepIndex == 1)
        for t in [162.0, 222] { world.reconcile(at: at(t)) }
        #expect(world.status.phase == .paused, "three in a row hold the rollout")
        #expect(world.status.conditionStatus(.metricsAvailable) == "False")
        #expect(world.status.currentStepIndex == 1)
    }

    // MARK: Evidence and intervals

    @Test func evidenceCarriesAcrossAnalysisSteps() throws {
        var world = try started(steps: [.weight(50), .analysis("1m"), .weight(75), .analysis("1m"), .weight(100)],
                                samples: [Traffic.good, Traffic.good])
        world.reconcile(at: at(102))  // promote → step 2: 75% (3 canary, 1 stable)
        #expect(world.step == 2)
        world.reconcile(at: at(103))  // stable shrinks
        world.reconcile(at: at(104))  // settled → step 3, warm-up from 104
        #expect(world.step == 3)
        let warm = world.reconcile(at: at(133))
        #expect(warm.interval == nil)
        let carried = world.reconcile(at: at(134))
        #expect(carried.interval == nil, "no new baseline: the same analysis goes on")
        #expect(carried.status.canary?.analysis?.state?.intervals == 1)
        #expect(carried.status.canary?.analysis?.lastIntervalEnd == Timestamps.millis(at(134)))

        let plan = world.reconcile(at: at(204))
        #expect(world.requests.last == .observe(start: at(134), end: at(194), final: true))
        #expect(world.requests.filter { if case .start = $0 { true } else { false } }.count == 1)
        #expect(plan.status.lastAnalysis?.intervals == 2)
        #expect(plan.status.lastAnalysis?.stepIndex == 3)
        let errorRate = plan.status.lastAnalysis?.decision.checks.first { $0.metric == .errorRate }
        #expect(errorRate?.canary?.requests == 2 * Traffic.good.canary.requests, "both intervals' requests count")
        #expect(plan.status.currentStepIndex == 4)
    }

    @Test func aChangeOfAvailableReplicasRestartsTheInterval() throws {
        var world = try started()
        world.settles = false
        world.stable?.availableReplicas = 1  // one stable pod lost mid-interval
        let restarted = world.reconcile(at: at(60))
        #expect(restarted.status.canary?.analysis?.lastIntervalEnd == Timestamps.millis(at(60)))
        #expect(restarted.status.canary?.analysis?.readyStableReplicas == 1)
        world.reconcile(at: at(102))
        #expect(world.requests.count == 1, "the interval (32, 92] spans the change: not observed")
        world.reconcile(at: at(130))
        #expect(world.requests.last == .observe(start: at(60), end: at(120), final: false))
    }

    @Test func specPausedHoldsTheSplitAndTheNextIntervalStartsOnResume() throws {
        var world = try started(samples: [Traffic.good])
        world.rollout.spec?.paused = true
        let paused = world.reconcile(at: at(50))
        #expect(paused.status.phase == .paused)
        #expect(paused.status.conditionReason(.paused) == "PausedByUser")
        #expect(paused.status.currentStepIndex == 1)
        #expect(paused.intent(.canary)?.replicas == 2)
        #expect(paused.intent(.stable)?.replicas == 2)
        #expect(paused.status.canary?.analysis?.lastIntervalEnd == nil)
        #expect(paused.status.canary?.analysis?.state != nil, "the evidence is kept")

        world.reconcile(at: at(102))
        #expect(world.requests.count == 1, "no interval while paused")

        world.rollout.spec?.paused = false
        let resumed = world.reconcile(at: at(200))
        #expect(world.requests.count == 1)
        #expect(resumed.status.canary?.analysis?.lastIntervalEnd == Timestamps.millis(at(200)))
        #expect(resumed.status.phase == .progressing)
        world.reconcile(at: at(270))
        #expect(world.requests.last == .observe(start: at(200), end: at(260), final: false))
    }

    @Test func aCanaryThatBecomesUnavailableDuringAnalysisWaitsInsteadOfAnalysing() throws {
        var world = try started(samples: [Traffic.good])
        world.canary?.availableReplicas = 1
        world.canary?.updatedReplicas = 1
        let plan = world.reconcile(at: at(102))
        #expect(plan.interval == nil)
        #expect(world.requests.count == 1)
        #expect(plan.status.message?.contains("waiting for the canary") == true)
    }
}
