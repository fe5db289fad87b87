import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Kube
import RolloutAPI
import RolloutController

/// A cluster for the pure planner: Deployments whose pods come up over a few ticks, a route another writer may
/// change, Prometheus that may be down, and a controller whose memory may be lost. `step()` applies the tick's
/// perturbations, reconciles once (running the analysis interval the plan asks for, then planning again, as the
/// reconciler does), applies the plan and lets the ``SimulationOracle`` check every invariant.
struct SimulatedCluster {
    /// One owned Deployment: pods come up one at a time, with some luck.
    struct Pods {
        var hash: String?
        var replicas: Int
        var available: Int
        var generation = 1

        func observation(_ track: Track) -> DeploymentObservation {
            observed(track, hash: hash, replicas: replicas, available: min(available, replicas))
        }
    }

    let schedule: Schedule
    var rng: SeededGenerator
    var rollout: Rollout
    var stable: Pods?
    var canary: Pods?
    var route: RouteObservation?
    /// The controller's memory: the weight it last wrote to the route (lost on restart).
    var lastRouteWrite: Int?
    var now = t0
    var tick = 0
    var metricsDownUntil = -1
    var healthy: [String: Bool] = ["v0": true]
    var templates = 0
    var actionIds: [String] = []
    var brokenSteps: [RolloutStep]?
    var oracle = SimulationOracle()
    /// What happened, for the failure report.
    var log: [String] = []

    init(_ schedule: Schedule) {
        self.schedule = schedule
        rng = SeededGenerator(seed: schedule.seed &* 6_364_136_223_846_793_005 &+ 1)
        let routing = schedule.routed ? PlannerRoutingTests.gateway : nil
        rollout = makeRollout(tag: "v0", replicas: schedule.replicas, steps: Schedule.stepPool[0],
                              analysis: analysisSpec(interval: "30s", warmup: "10s", lag: "5s", onInconclusive: "extend"),
                              routing: routing)
        if schedule.routed { route = .weights(RouteWeights(canary: [0])) }
    }

    /// The image tag of the Rollout's template (the version).
    var tag: String {
        let image = rollout.spec?.template?[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue ?? ""
        return image.split(separator: ":").last.map(String.init) ?? ""
    }

    /// Runs the whole schedule; returns the first invariant broken, if any.
    mutating func run() -> String? {
        var pending = schedule.perturbations[...]
        for t in 0..<schedule.ticks {
            tick = t
            while let next = pending.first, next.tick <= t {
                pending.removeFirst()
                perturb(next.perturbation)
            }
            if let broken = reconcile() { return broken }
            advanceTime()
        }
        return nil
    }

    // MARK: Perturbations

    mutating func perturb(_ p: Perturbation) {
        log.append("tick \(tick): \(p)")
        switch p {
        case .newTemplate(let good):
            templates += 1
            let tag = "v\(templates)"
            healthy[tag] = good
            setTemplate(tag)
        case .revertTemplate:
            if let version = rollout.status?.stableVersion { setTemplate(version) }
        case .prometheusOutage(let ticks):
            metricsDownUntil = max(metricsDownUntil, tick + ticks)
        case .canaryPodsLost:
            canary?.available = 0
        case .stableDeleted:
            stable = nil
        case .editSteps(let i):
            if brokenSteps == nil { setSteps(Schedule.stepPool[i]) }
        case .breakSpec:
            if brokenSteps == nil {
                brokenSteps = rollout.spec?.strategy?.canary?.steps
                setSteps([.weight(150)])
            }
        case .fixSpec:
            if let steps = brokenSteps {
                brokenSteps = nil
                setSteps(steps)
            }
        case .routeReverted(let w):
            if schedule.routed, route?.weights != nil { route = .weights(RouteWeights(canary: [w])) }
        case .restart:
            lastRouteWrite = nil
        case .action(let verb, let reuse):
            let id: String
            if reuse, let old = actionIds.randomElement(using: &rng) {
                id = old
            } else {
                id = "a\(actionIds.count)"
                actionIds.append(id)
            }
            rollout.metadata.annotations = [FledgeNames.actionAnnotation: "\(verb.rawValue):\(id)"]
        case .togglePause:
            let paused = rollout.spec?.paused ?? false
            rollout.spec?.paused = !paused
        }
    }

    mutating func setTemplate(_ tag: String) {
        rollout.spec?.template = podTemplate(tag: tag)
        rollout.metadata.generation = (rollout.metadata.generation ?? 1) + 1
    }

    mutating func setSteps(_ steps: [RolloutStep]) {
        rollout.spec?.strategy?.canary?.steps = steps
        rollout.metadata.generation = (rollout.metadata.generation ?? 1) + 1
    }

    // MARK: One reconcile

    mutating func reconcile() -> String? {
        let before = rollout.status ?? RolloutStatus()
        var input = PlanInput(rollout: rollout, stable: stable?.observation(.stable), canary: canary?.observation(.canary),
                              services: Set([FledgeNames.service("shop"), FledgeNames.stableService("shop"), FledgeNames.canaryService("shop")]),
                              route: route, now: now)
        input.routeLastWritten = lastRouteWrite
        var plan = RolloutPlanner.plan(input)
        var result: IntervalResult?
        if let request = plan.interval, let effective = plan.effective {
            result = interval(request, effective: effective)
            input.interval = result
            plan = RolloutPlanner.plan(input)
        }
        // A controller that lost its memory decides the same from status alone.
        var forgetful = input
        forgetful.routeLastWritten = nil
        let restarted = RolloutPlanner.plan(forgetful)
        let observedCanary = input.canary
        apply(plan)
        return oracle.check(SimulationOracle.Pass(
            before: before, plan: plan, restarted: restarted, input: input, interval: result, routeAfter: route?.canaryShare,
            canaryObserved: observedCanary, healthy: healthy, tick: tick, routed: schedule.routed, contested: plan.status.canary?.hold == HoldReason.routeContested.rawValue))
    }

    /// The interval the plan asked for, judged by the real analyzer on counts that follow the traffic split.
    mutating func interval(_ request: IntervalRequest, effective: EffectiveRollout) -> IntervalResult? {
        let analyzer = CanaryAnalyzer(configuration: effective.analysis.configuration)
        switch request {
        case .start(_, let to):
            let state = analyzer.start(baseline: Traffic.baseline)
            if tick < metricsDownUntil {
                return IntervalResult(state: state, decision: analyzer.decide(state, final: false), end: to, observedInterval: false,
                                      baselineMissing: "Prometheus at http://prometheus.monitoring:9090 is unreachable: connection refused")
            }
            return IntervalResult(state: state, decision: analyzer.decide(state, final: false), end: to, observedInterval: false)
        case .observe(_, let end, let final):
            let state = rollout.status?.canary?.analysis?.state ?? analyzer.start(baseline: Traffic.baseline)
            let reading: MetricReading<TrafficSample>
            if tick < metricsDownUntil {
                reading = .noData(reason: "Prometheus at http://prometheus.monitoring:9090 is unreachable: connection refused")
            } else {
                let ratio = ReplicaSplit.actualWeight(canary: canary?.available ?? 0, stable: stable?.available ?? 0) ?? 0
                let share: Int = schedule.routed ? (route?.canaryShare ?? 0) : Int(ratio.rounded())
                let canaryServes = (canary?.available ?? 0) > 0 && canary?.hash == effective.templateHash
                let canaryRequests = canaryServes ? 6000 * share / 100 : 0
                let good = healthy[tag] ?? true
                reading = .value(TrafficSample(stable: Traffic.track(requests: 6000 - canaryRequests, errorRate: 0.01),
                                               canary: Traffic.track(requests: canaryRequests, errorRate: good ? 0.01 : 0.08)))
            }
            return AnalysisRunner.judge(reading, state: state, analyzer: analyzer, end: end, final: final)
        }
    }

    /// The plan made real: status written, Deployments changed (new pods start unavailable), the route set.
    mutating func apply(_ plan: Plan) {
        rollout.status = plan.status
        if schedule.routed, let w = plan.routeWeight, route?.weights != nil {
            route = .weights(RouteWeights(canary: [w]))
            lastRouteWrite = w
        }
        for intent in plan.deployments {
            var pods = (intent.track == .stable ? stable : canary) ?? Pods(hash: nil, replicas: 0, available: 0)
            if let run = intent.run, run.hash != pods.hash {
                pods.hash = run.hash
                pods.available = 0
                pods.generation += 1
            }
            pods.replicas = intent.replicas
            pods.available = min(pods.available, pods.replicas)
            if intent.track == .stable { stable = pods } else { canary = pods }
        }
    }

    /// Time passes: 1 to 20 seconds; pods come up one at a time, most ticks.
    mutating func advanceTime() {
        now = now.addingTimeInterval(Double(Int.random(in: 1...20, using: &rng)))
        for track in [Track.stable, .canary] {
            guard var pods = track == .stable ? stable : canary else { continue }
            if pods.available < pods.replicas, Int.random(in: 0..<10, using: &rng) < 7 { pods.available += 1 }
            if track == .stable { stable = pods } else { canary = pods }
        }
    }
}
