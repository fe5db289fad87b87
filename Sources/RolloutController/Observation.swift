import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// One owned Deployment as the planner sees it: what it runs and how far it has got.
public struct DeploymentObservation: Sendable, Equatable {
    public var name: String
    /// The `fledge.dev/template-hash` annotation: the Rollout template it runs.
    public var templateHash: String?
    public var specReplicas: Int
    public var generation: Int
    public var observedGeneration: Int
    public var updatedReplicas: Int
    public var readyReplicas: Int
    public var availableReplicas: Int
    /// The Deployment reports `ProgressDeadlineExceeded`.
    public var deadlineExceeded: Bool
    /// Controlled by this Rollout (ownerReference with `controller: true` and its uid).
    public var ownedByRollout: Bool
    /// `metadata.resourceVersion` as cached.
    public var resourceVersion = ""
    /// `status.replicas`: every pod of every ReplicaSet (old ones too, during a rolling update); nil when unknown.
    public var totalReplicas: Int?
    /// The Deployment's pod template, read only when the planner needs it (to store a stable template that
    /// status does not hold yet); nil otherwise.
    public var podTemplate: JSONValue?

    public init(name: String, templateHash: String?, specReplicas: Int, generation: Int = 1, observedGeneration: Int = 1,
                updatedReplicas: Int = 0, readyReplicas: Int = 0, availableReplicas: Int = 0,
                deadlineExceeded: Bool = false, ownedByRollout: Bool = true) {
        self.name = name
        self.templateHash = templateHash
        self.specReplicas = specReplicas
        self.generation = generation
        self.observedGeneration = observedGeneration
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.deadlineExceeded = deadlineExceeded
        self.ownedByRollout = ownedByRollout
    }

    public init(_ d: Deployment, rolloutUID: String?) {
        let status = d.status
        self.init(
            name: d.metadata.name ?? "",
            templateHash: d.metadata.annotations?[FledgeNames.templateHashAnnotation],
            specReplicas: d.spec?.replicas ?? 1,
            generation: d.metadata.generation ?? 0,
            observedGeneration: status?.observedGeneration ?? 0,
            updatedReplicas: status?.updatedReplicas ?? 0,
            readyReplicas: status?.readyReplicas ?? 0,
            availableReplicas: status?.availableReplicas ?? 0,
            deadlineExceeded: status?.conditions?.contains { $0.type == "Progressing" && $0.reason == "ProgressDeadlineExceeded" } ?? false,
            ownedByRollout: rolloutUID != nil && (d.metadata.ownerReferences ?? []).contains { $0.uid == rolloutUID && $0.controller == true })
        resourceVersion = d.metadata.resourceVersion ?? ""
        totalReplicas = status?.replicas
    }

    /// Pods of older ReplicaSets still running (a rolling update in progress).
    var oldPods: Int { max(0, (totalReplicas ?? updatedReplicas) - updatedReplicas) }

    /// Runs `hash` with `replicas` pods, all updated and available, and the Deployment controller has seen the
    /// latest spec.
    public func isSettled(replicas: Int, hash: String) -> Bool {
        templateHash == hash && specReplicas == replicas && observedGeneration >= generation
            && updatedReplicas >= replicas && availableReplicas >= replicas && oldPods == 0
    }

    /// Available pods that run `hash` (0 when it runs another template). During a rolling update the count of
    /// available pods includes old ones, so only what is certainly new counts: available minus the old pods.
    public func available(running hash: String?) -> Int {
        templateHash == hash && observedGeneration >= generation ? max(0, min(availableReplicas - oldPods, updatedReplicas)) : 0
    }
}

/// The result of one analysis interval (or of starting the analysis), computed by the reconciler between two
/// planner calls.
public struct IntervalResult: Sendable, Equatable {
    /// The analyzer's state after the interval.
    public var state: AnalysisState
    public var decision: Decision
    /// The end of the interval observed (or the start of the window when the analysis was only started).
    public var end: Date
    /// Whether an interval was observed (false: the analysis was only started from the baseline).
    public var observedInterval: Bool
    /// Why stable's baseline was empty, when it was (the planner then tries again before starting without one).
    public var baselineMissing: String?
    /// The canary requests the interval counted; nil when it had no data (the reading failed or a track had no
    /// requests): such an interval adds no evidence and does not use up the step's window.
    public var canaryRequests: Int?
    /// Why the interval had no data.
    public var missingReason: String?

    public init(state: AnalysisState, decision: Decision, end: Date, observedInterval: Bool, baselineMissing: String? = nil) {
        self.state = state
        self.decision = decision
        self.end = end
        self.observedInterval = observedInterval
        self.baselineMissing = baselineMissing
    }
}

/// Everything the planner decides from: no I/O happens inside it.
public struct PlanInput: Sendable {
    public var rollout: Rollout
    public var defaults: RolloutDefaults
    public var stable: DeploymentObservation?
    public var canary: DeploymentObservation?
    /// With `spec.workloadRef`: the referenced Deployment (nil: there is none, or it does not exist).
    public var workload: WorkloadObservation?
    /// Names of the Services that exist and are owned by the Rollout.
    public var services: Set<String>
    /// Names of Services the Rollout would create that exist and are not controlled by it (read from the API
    /// server: the cache holds only objects with Fledge's label).
    public var unownedServices: [String] = []
    /// With a router: the route as read before this reconcile (nil without a router).
    public var route: RouteObservation?
    /// With a router: the weight this controller process last wrote to the route (its own write is never drift).
    public var routeLastWritten: Int?
    public var now: Date
    /// Set on the second planner call of a reconcile, after the reconciler ran the interval the first call asked for.
    public var interval: IntervalResult?

    public init(rollout: Rollout, defaults: RolloutDefaults = RolloutDefaults(), stable: DeploymentObservation? = nil,
                canary: DeploymentObservation? = nil, services: Set<String> = [], route: RouteObservation? = nil, now: Date,
                interval: IntervalResult? = nil) {
        self.route = route
        self.rollout = rollout
        self.defaults = defaults
        self.stable = stable
        self.canary = canary
        self.services = services
        self.now = now
        self.interval = interval
    }
}
