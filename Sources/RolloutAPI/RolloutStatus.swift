import CanaryAnalysis
import Kube
import KubeJSON

/// `Rollout.status`: written by the controller alone. Everything the controller needs to resume after a restart
/// lives here, never only in memory.
public struct RolloutStatus: Codable, Sendable, Equatable {
    public var phase: RolloutPhase?
    public var message: String?
    public var observedGeneration: Int?
    /// Index into the effective steps of the step in progress (== steps.count when all are done).
    public var currentStepIndex: Int?
    /// The weight the current step set, in percent.
    public var canaryWeight: Int?
    /// The weight measured: canary available replicas / all available replicas, in percent (or read back
    /// from the route).
    public var actualCanaryWeight: Double?
    public var stableVersion: String?
    public var canaryVersion: String?
    public var stableTemplateHash: String?
    public var canaryTemplateHash: String?
    /// The latest analysis decision with every check's numbers.
    public var lastAnalysis: AnalysisRecord?
    public var lastAction: ActionRecord?
    public var conditions: [Condition]?
    /// The canary's progress through its steps (absent when no canary is in flight).
    public var canary: CanaryProgress?
    /// With a router: the route the controller sets weights on. When the spec names another route (or none), this
    /// one is sent back to stable first; on deletion it is restored even if the spec no longer names it.
    public var trafficRoute: RouteRecord?
    /// The last few templates promoted to stable, newest first (at most ``PromotedTemplate/kept``). Stable is recreated
    /// from the newest when its Deployment vanishes; `kubectl fledge undo` reads them.
    public var stableTemplates: [PromotedTemplate]?
    /// Pods of both tracks (every ReplicaSet's): the scale subresource's `status.replicas`, what an
    /// HorizontalPodAutoscaler reads as the current size.
    public var replicas: Int?
    /// `spec.selector` as a string (`app=shop`): the scale subresource's `status.selector`, by which an autoscaler
    /// finds the pods of both tracks for their metrics.
    public var selector: String?
    /// The ids of the recent one-shot actions acted on, oldest first (at most ``RolloutStatus/keptActionIds``): an id
    /// acts at most once, so an annotation kept in git never fires again after another action or on a later canary.
    public var actionIds: [String]?
    /// With `spec.workloadRef`: the referenced Deployment as the controller keeps it (its replicas when first seen,
    /// whether it has been scaled down).
    public var workload: WorkloadStatus?

    /// How many action ids `actionIds` keeps.
    public static let keptActionIds = 32

    public init(phase: RolloutPhase? = nil, message: String? = nil, observedGeneration: Int? = nil,
                currentStepIndex: Int? = nil, canaryWeight: Int? = nil, actualCanaryWeight: Double? = nil,
                stableVersion: String? = nil, canaryVersion: String? = nil, stableTemplateHash: String? = nil,
                canaryTemplateHash: String? = nil, lastAnalysis: AnalysisRecord? = nil, lastAction: ActionRecord? = nil,
                conditions: [Condition]? = nil, canary: CanaryProgress? = nil) {
        self.phase = phase
        self.message = message
        self.observedGeneration = observedGeneration
        self.currentStepIndex = currentStepIndex
        self.canaryWeight = canaryWeight
        self.actualCanaryWeight = actualCanaryWeight
        self.stableVersion = stableVersion
        self.canaryVersion = canaryVersion
        self.stableTemplateHash = stableTemplateHash
        self.canaryTemplateHash = canaryTemplateHash
        self.lastAnalysis = lastAnalysis
        self.lastAction = lastAction
        self.conditions = conditions
        self.canary = canary
    }

    /// The condition of `type`, if present.
    public func condition(_ type: RolloutConditionType) -> Condition? {
        conditions?.first { $0.type == type.rawValue }
    }
}

/// `status.phase`.
public enum RolloutPhase: String, Codable, Sendable, CaseIterable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case paused = "Paused"
    case degraded = "Degraded"
}

/// `status.conditions[].type`.
public enum RolloutConditionType: String, Sendable, CaseIterable {
    case available = "Available"
    case progressing = "Progressing"
    case paused = "Paused"
    case completed = "Completed"
    case invalidSpec = "InvalidSpec"
    /// With a router: True while the route carries the weights the controller set; False (RouteNotFound,
    /// RouteUnusable, RouteWriteFailed, RouteContested) when it cannot.
    case trafficRouted = "TrafficRouted"
    /// False while the analysis is held because its intervals have no data; the reason names the cause
    /// (`PrometheusUnreachable`, `QueryFailed`, `NoSeries`, `NoData`).
    case metricsAvailable = "MetricsAvailable"
    /// False while the API server refuses the controller's writes to the Deployments or Services it owns (the
    /// reason names the object kind, the message carries the server's words).
    case writesAccepted = "WritesAccepted"
}

/// Where the in-flight canary is: timestamps are RFC 3339 strings, as everywhere in the API.
public struct CanaryProgress: Codable, Sendable, Equatable {
    /// When the current step started (its weight was first set, its pause or analysis began).
    public var stepStartedAt: String?
    /// When the canary first had all its desired replicas available at the current step's weight.
    public var availableSince: String?
    /// When the canary was created (or last restarted); the progress deadline counts from the later of this and
    /// the last weight change.
    public var progressSince: String?
    /// Why the canary was stopped, when it was: set by a rollback or an abort, cleared by retry or a new template.
    public var aborted: AbortRecord?
    /// The analysis of the current canary version: its evidence accumulates across steps.
    public var analysis: AnalysisProgress?
    /// The step is finished and the controller may move on (set by promote actions and by analysis).
    public var stepComplete: Bool?
    /// Extra windows granted by `onInconclusive: extend` at the current step.
    public var extensions: Int?
    /// Intervals the step added by itself because the analysis was on course to promote (at most twice its
    /// window, so a window lasts at most three times its length).
    public var selfExtension: Int?
    /// Why the canary is held at this step until a human acts (`AnalysisInconclusive`, `RouteContested`).
    public var hold: String?
    /// The step list the canary follows (each step as `EffectiveStep.description`): after an edit, only the steps of
    /// the longest unchanged prefix count as passed.
    public var steps: [String]?
    /// After a step-list edit restarted the canary: the weight it had, which no step may exceed until an analysis
    /// step of the new list has passed.
    public var weightCap: Int?
    /// Weights another writer changed on the route, set back by the controller, at this step.
    public var driftCorrections: Int?

    public init(stepStartedAt: String? = nil, availableSince: String? = nil, progressSince: String? = nil,
                aborted: AbortRecord? = nil, analysis: AnalysisProgress? = nil, stepComplete: Bool? = nil,
                extensions: Int? = nil) {
        self.stepStartedAt = stepStartedAt
        self.availableSince = availableSince
        self.progressSince = progressSince
        self.aborted = aborted
        self.analysis = analysis
        self.stepComplete = stepComplete
        self.extensions = extensions
    }
}

/// Why a canary was stopped.
public struct AbortRecord: Codable, Sendable, Equatable {
    /// A ``StopReason`` raw value: `AnalysisFailed`, `Aborted`, `ProgressDeadlineExceeded`, `AnalysisInconclusive`,
    /// `MetricsUnavailable`, `InvalidSpec`.
    public var reason: String
    public var message: String
    public var time: String

    public init(reason: String, message: String, time: String) {
        self.reason = reason
        self.message = message
        self.time = time
    }
}

/// The running analysis of one canary version.
public struct AnalysisProgress: Codable, Sendable, Equatable {
    /// The template hash the evidence belongs to.
    public var templateHash: String
    /// The analyzer's state: plan and evidence so far.
    public var state: AnalysisState?
    /// The end of the last interval observed (RFC 3339); the next interval starts here.
    public var lastIntervalEnd: String?
    /// When the current step's window started.
    public var windowStart: String?
    /// The canary replicas available when the window's intervals started; a change restarts the interval
    /// (intervals never span a weight or ready-replica change).
    public var readyCanaryReplicas: Int?
    public var readyStableReplicas: Int?
    /// Intervals observed in the current step's window (kept for status written by older controllers; see `step`).
    public var stepIntervals: Int?
    /// What the current step's window has gathered of its own: intervals with and without data, canary requests.
    public var step: StepTally?
    /// Set while the analysis is held for missing data: when the outage began and its cause.
    public var outage: MetricsOutage?
    /// Attempts to read stable's baseline that found none (the analysis starts without one after a few).
    public var baselineAttempts: Int?

    public init(templateHash: String, state: AnalysisState? = nil, lastIntervalEnd: String? = nil,
                windowStart: String? = nil, readyCanaryReplicas: Int? = nil, readyStableReplicas: Int? = nil) {
        self.templateHash = templateHash
        self.state = state
        self.lastIntervalEnd = lastIntervalEnd
        self.windowStart = windowStart
        self.readyCanaryReplicas = readyCanaryReplicas
        self.readyStableReplicas = readyStableReplicas
    }
}

/// An analysis held because its intervals have no data.
public struct MetricsOutage: Codable, Sendable, Equatable {
    /// When the first interval without data began (RFC 3339).
    public var since: String
    /// `PrometheusUnreachable`, `QueryFailed`, `NoSeries` or `NoData`.
    public var reason: String
    /// The provider's words.
    public var message: String

    public init(since: String, reason: String, message: String) {
        self.since = since
        self.reason = reason
        self.message = message
    }
}

/// A template that was promoted to stable: what `<name>-stable` runs, kept in status so that stable can be
/// recreated from it if its Deployment vanishes (a Deployment's own template is gone with it).
public struct PromotedTemplate: Codable, Sendable, Equatable {
    /// The template hash (`fledge.dev/template-hash`).
    public var hash: String
    public var version: String
    /// The Rollout's pod template as it was (undecorated); when recovered from a Deployment written by an older
    /// controller, the Deployment's decorated template (decorating again changes nothing).
    public var template: JSONValue
    /// When it became stable (RFC 3339).
    public var promotedAt: String?

    /// How many promoted templates status keeps.
    public static let kept = 3

    public init(hash: String, version: String, template: JSONValue, promotedAt: String?) {
        self.hash = hash
        self.version = version
        self.template = template
        self.promotedAt = promotedAt
    }
}

/// `status.lastAnalysis`: the analysis library's decision (`decision`, `summary`, `checks[]`, exactly as the
/// library encodes it) plus when and where it was taken.
public struct AnalysisRecord: Codable, Sendable, Equatable {
    public var decision: Decision
    /// When the interval that produced it ended.
    public var time: String
    public var stepIndex: Int
    /// Intervals observed so far for this canary version.
    public var intervals: Int
    public var canaryVersion: String?

    public init(decision: Decision, time: String, stepIndex: Int, intervals: Int, canaryVersion: String?) {
        self.decision = decision
        self.time = time
        self.stepIndex = stepIndex
        self.intervals = intervals
        self.canaryVersion = canaryVersion
    }

    private enum Keys: String, CodingKey { case time, stepIndex, intervals, canaryVersion }

    public init(from decoder: any Decoder) throws {
        decision = try Decision(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        time = try c.decode(String.self, forKey: .time)
        stepIndex = try c.decode(Int.self, forKey: .stepIndex)
        intervals = try c.decodeIfPresent(Int.self, forKey: .intervals) ?? 0
        canaryVersion = try c.decodeIfPresent(String.self, forKey: .canaryVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        try decision.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(time, forKey: .time)
        try c.encode(stepIndex, forKey: .stepIndex)
        try c.encode(intervals, forKey: .intervals)
        try c.encodeIfPresent(canaryVersion, forKey: .canaryVersion)
    }
}

/// `status.lastAction`: the last one-shot action the controller took from the `fledge.dev/action` annotation.
public struct ActionRecord: Codable, Sendable, Equatable {
    /// `promote`, `promote-full`, `abort` or `retry`.
    public var action: String
    public var id: String
    public var time: String
    /// What it did, or why it did nothing.
    public var message: String?

    public init(action: String, id: String, time: String, message: String? = nil) {
        self.action = action
        self.id = id
        self.time = time
        self.message = message
    }
}

/// `status.trafficRoute`: a route as recorded in status.
public struct RouteRecord: Codable, Sendable, Equatable {
    /// `gatewayAPI`, `istio` or `nginx`.
    public var router: String?
    public var name: String?
    public var namespace: String?
    /// Istio: the http routes set.
    public var routes: [String]?

    public init(_ route: RouteReference) {
        router = route.kind.rawValue
        name = route.name
        namespace = route.namespace
        routes = route.routes.isEmpty ? nil : route.routes
    }

    /// The route recorded (nil when the record is incomplete or names an unknown router).
    public var reference: RouteReference? {
        guard let kind = router.flatMap(RouterKind.init(rawValue:)), let name, let namespace else { return nil }
        return RouteReference(kind: kind, name: name, namespace: namespace, routes: routes ?? [])
    }
}
