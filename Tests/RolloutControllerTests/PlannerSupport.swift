import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController

// Builders for the planner's inputs and a small in-memory "cluster" that applies plans the way the reconciler and the
// Deployment controller would, so multi-step scenarios read as a sequence of reconciles at chosen times.

/// The fixed origin of every planner test's clock.
let t0 = Date(timeIntervalSince1970: 1_750_000_000)

/// `t0` plus `seconds`.
func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

enum Fixture {
    static let namespace = "shop-ns"
    static let name = "shop"
    static let uid = "0b6c6c1e-uid-shop"
    static let prometheus = "http://prometheus.monitoring:9090"
    static var stableName: String { FledgeNames.stableDeployment(name) }
    static var canaryName: String { FledgeNames.canaryDeployment(name) }
}

/// A pod template with one container `shop` running `ghcr.io/acme/shop:<tag>`.
func podTemplate(tag: String, ports: Bool = true, env: [JSONValue]? = nil) -> JSONValue {
    var container: JSONValue = ["name": "shop", "image": .string("ghcr.io/acme/shop:\(tag)")]
    if ports { container["ports"] = [["containerPort": 8080, "name": "http"]] }
    if let env { container["env"] = .array(env) }
    return ["metadata": ["labels": ["app": "shop"]], "spec": ["containers": [container]]]
}

/// Analysis settings with explicit times: interval 1m, warm-up 30s, lag 10s.
func analysisSpec(interval: String = "1m", warmup: String = "30s", lag: String = "10s", onInconclusive: String? = nil,
                  maxExtensions: Int? = nil) -> AnalysisSpec {
    AnalysisSpec(prometheus: PrometheusSpec(address: Fixture.prometheus, lag: lag), interval: interval, warmup: warmup,
                 onInconclusive: onInconclusive, maxExtensions: maxExtensions)
}

/// A Rollout `shop-ns/shop` running image tag `tag`.
func makeRollout(tag: String = "1.0.0", replicas: Int = 4, steps: [RolloutStep]? = [.weight(50), .weight(100)],
                 analysis: AnalysisSpec? = analysisSpec(), paused: Bool? = nil, progressDeadlineSeconds: Int? = nil,
                 ports: Bool = true, generation: Int = 1, status: RolloutStatus? = nil, action: String? = nil,
                 routing: TrafficRouting? = nil) -> Rollout {
    let spec = RolloutSpec(
        replicas: replicas, selector: LabelSelector(matchLabels: ["app": "shop"]),
        template: podTemplate(tag: tag, ports: ports), paused: paused, progressDeadlineSeconds: progressDeadlineSeconds,
        strategy: RolloutStrategy(canary: CanaryStrategy(steps: steps, analysis: analysis, trafficRouting: routing)))
    var metadata = ObjectMeta(name: Fixture.name, namespace: Fixture.namespace)
    metadata.uid = Fixture.uid
    metadata.generation = generation
    metadata.resourceVersion = "100"
    if let action { metadata.annotations = [FledgeNames.actionAnnotation: action] }
    return Rollout(metadata: metadata, spec: spec, status: status)
}

/// The resolved Rollout (defaults applied); fails the test when the spec is invalid.
func effective(_ rollout: Rollout) throws -> EffectiveRollout {
    try RolloutResolver.resolve(rollout).get()
}

/// The template hash of the Rollout running `tag` (the rest as `makeRollout` builds it).
func hash(_ tag: String, ports: Bool = true) -> String {
    TemplateHash.of(template: podTemplate(tag: tag, ports: ports), version: tag)
}

/// One owned Deployment as cached: `available` of its `replicas` available (default: all, i.e. settled).
func observed(_ track: Track, hash: String?, replicas: Int, available: Int? = nil, owned: Bool = true,
              deadlineExceeded: Bool = false) -> DeploymentObservation {
    let available = available ?? replicas
    return DeploymentObservation(
        name: track == .stable ? Fixture.stableName : Fixture.canaryName, templateHash: hash, specReplicas: replicas,
        generation: 2, observedGeneration: 2, updatedReplicas: available, readyReplicas: available,
        availableReplicas: available, deadlineExceeded: deadlineExceeded, ownedByRollout: owned)
}

// MARK: Traffic

/// Synthetic traffic for the real analyzer: both tracks with the same latency shape (90% ≤ 0.1s, 98% ≤ 0.25s,
/// 99% ≤ 0.5s, 99.9% ≤ 1s), so the latency tests pass and only the error rates differ.
enum Traffic {
    static let bounds: [Double] = [0.1, 0.25, 0.5, 1, .infinity]

    static func track(requests: Int, errorRate: Double) -> TrackCounts {
        let n = Double(requests)
        let counts = [0.9 * n, 0.98 * n, 0.99 * n, 0.999 * n, n].map { Int($0.rounded()) }
        return TrackCounts(requests: requests, errors: Int((n * errorRate).rounded()),
                           latency: LatencyHistogram(bounds: bounds, counts: counts))
    }

    /// Lots of traffic, equal error rates: passes every check in one interval.
    static let good = TrafficSample(stable: track(requests: 60_000, errorRate: 0.01), canary: track(requests: 60_000, errorRate: 0.01))
    /// The canary fails ten times as often as stable.
    static let bad = TrafficSample(stable: track(requests: 60_000, errorRate: 0.01), canary: track(requests: 60_000, errorRate: 0.10))
    /// Too little canary traffic for any check to pass or fail: the window ends inconclusive.
    static let thin = TrafficSample(stable: track(requests: 5_000, errorRate: 0.01), canary: track(requests: 40, errorRate: 0.01))
    /// Stable's traffic before the canary: fixes the latency thresholds.
    static let baseline = Baseline(stable: track(requests: 200_000, errorRate: 0.01))
}

/// Runs an interval request with the real analyzer on a synthetic sample, as the reconciler's runner does.
func runInterval(_ request: IntervalRequest, rollout: Rollout, sample: TrafficSample?,
                 baseline: Baseline = Traffic.baseline) throws -> IntervalResult {
    let analyzer = CanaryAnalyzer(configuration: try effective(rollout).analysis.configuration)
    switch request {
    case .start(_, let to):
        let state = analyzer.start(baseline: baseline)
        return IntervalResult(state: state, decision: analyzer.decide(state, final: false), end: to, observedInterval: false)
    case .observe(_, let end, let final):
        let state = rollout.status?.canary?.analysis?.state ?? analyzer.start(baseline: baseline)
        let reading: MetricReading<TrafficSample> = sample.map { .value($0) } ?? .noData(reason: "no sample scripted")
        return AnalysisRunner.judge(reading, state: state, analyzer: analyzer, end: end, final: final)
    }
}

// MARK: An in-memory cluster

struct ScriptError: Error, CustomStringConvertible {
    var description: String
}

/// A Rollout, its owned Deployments and Services, and a script of traffic samples. `reconcile(at:)` plans (running
/// the interval the plan asks for and planning again, like the reconciler), then applies the plan: status written,
/// Services created, Deployments changed — and, when `settles` is on, immediately settled.
struct World {
    var rollout: Rollout
    var stable: DeploymentObservation?
    var canary: DeploymentObservation?
    var services: Set<String> = []
    /// With a router: the route as the next reconcile reads it (a plan's weight is written to every split).
    var route: RouteObservation?
    /// Every weight written to the route, in order.
    var routeWrites: [Int] = []
    /// Samples consumed by `.observe` requests, in order (none left: no data).
    var samples: [TrafficSample] = []
    var baseline = Traffic.baseline
    /// Deployments become available as soon as they change.
    var settles = true
    /// Every interval request made, in order.
    var requests: [IntervalRequest] = []
    /// Every event planned, in order.
    var events: [PlannedEvent] = []
    /// The input of the last reconcile's first planner call and its final plan.
    var lastInput: PlanInput?
    var lastPlan: Plan?

    init(_ rollout: Rollout, stable: DeploymentObservation? = nil, canary: DeploymentObservation? = nil) {
        self.rollout = rollout
        self.stable = stable
        self.canary = canary
    }

    /// A world where version `tag` is stable and healthy (one reconcile of it done), then the template is `next`.
    static func healthy(_ rollout: Rollout) throws -> World {
        var w = World(rollout)
        w.reconcile(at: at(-1000))
        w.reconcile(at: at(-999))
        guard w.rollout.status?.phase == .healthy else { throw ScriptError(description: "not healthy: \(String(describing: w.rollout.status))") }
        w.events = []
        w.requests = []
        return w
    }

    var status: RolloutStatus { rollout.status ?? RolloutStatus() }
    var phase: RolloutPhase? { rollout.status?.phase }
    var step: Int? { rollout.status?.currentStepIndex }

    func input(at now: Date) -> PlanInput {
        PlanInput(rollout: rollout, stable: stable, canary: canary, services: services, route: route, now: now)
    }

    /// One reconcile at `now`; returns the final plan.
    @discardableResult
    mutating func reconcile(at now: Date) -> Plan {
        var input = input(at: now)
        lastInput = input
        var plan = RolloutPlanner.plan(input)
        if let request = plan.interval {
            requests.append(request)
            var sample: TrafficSample?
            if case .observe = request, !samples.isEmpty { sample = samples.removeFirst() }
            // The runner is given the Rollout as read at the start of the reconcile.
            input.interval = try? runInterval(request, rollout: rollout, sample: sample, baseline: baseline)
            plan = RolloutPlanner.plan(input)
        }
        apply(plan)
        lastPlan = plan
        return plan
    }

    /// Plans again from the status the last reconcile returned, with the observations it started from.
    func replanFromReturnedStatus() -> Plan? {
        guard var input = lastInput, let plan = lastPlan else { return nil }
        input.rollout.status = plan.status
        return RolloutPlanner.plan(input)
    }

    mutating func apply(_ plan: Plan) {
        rollout.status = plan.status
        events += plan.events
        for s in plan.services { services.insert(s.name) }
        if let w = plan.routeWeight, let current = route?.weights, !current.isAt(w) {
            route = .weights(RouteWeights(canary: current.canary.isEmpty ? [w] : current.canary.map { _ in w }))
            routeWrites.append(w)
        }
        for intent in plan.deployments {
            let track = intent.track
            var d = (track == .stable ? stable : canary)
                ?? observed(track, hash: nil, replicas: 0, available: 0)
            let templateChanged = intent.run.map { $0.hash != d.templateHash } ?? false
            if let run = intent.run { d.templateHash = run.hash }
            if templateChanged || d.specReplicas != intent.replicas {
                d.generation += 1
                d.observedGeneration = d.generation
            }
            d.specReplicas = intent.replicas
            if settles {
                d.availableReplicas = intent.replicas
            } else {
                d.availableReplicas = templateChanged ? 0 : min(d.availableReplicas, intent.replicas)
            }
            d.updatedReplicas = d.availableReplicas
            d.readyReplicas = d.availableReplicas
            if track == .stable { stable = d } else { canary = d }
        }
    }

    /// Makes every pod of `track` available.
    mutating func settle(_ track: Track) {
        if track == .stable, var d = stable {
            d.availableReplicas = d.specReplicas; d.updatedReplicas = d.specReplicas; d.readyReplicas = d.specReplicas
            stable = d
        }
        if track == .canary, var d = canary {
            d.availableReplicas = d.specReplicas; d.updatedReplicas = d.specReplicas; d.readyReplicas = d.specReplicas
            canary = d
        }
    }

    /// Sets a new template (image tag) and bumps the generation, keeping the status.
    mutating func update(tag: String) {
        rollout.spec?.template = podTemplate(tag: tag)
        rollout.metadata.generation = (rollout.metadata.generation ?? 1) + 1
    }

    mutating func annotate(_ action: String) {
        rollout.metadata.annotations = [FledgeNames.actionAnnotation: action]
    }

    /// Reasons of the events planned since `index`.
    func eventReasons(from index: Int = 0) -> [String] { events[index...].map(\.reason) }
}

extension Plan {
    func intent(_ track: Track) -> DeploymentIntent? { deployments.first { $0.track == track } }
    var reasons: [String] { events.map(\.reason) }
}

extension RolloutStatus {
    func conditionStatus(_ type: RolloutConditionType) -> String? { condition(type)?.status }
    func conditionReason(_ type: RolloutConditionType) -> String? { condition(type)?.reason }
}
