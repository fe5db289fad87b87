import Foundation
import KubeJSON
import RolloutAPI

/// What a reconcile must change, as the planner decided it. Applying it is the reconciler's job.
public struct Plan: Sendable, Equatable {
    /// Owned Deployments to create or change (nothing listed: leave as is).
    public var deployments: [DeploymentIntent] = []
    /// With `spec.workloadRef`: the referenced Deployment's label and size (nil: leave it alone).
    public var workload: WorkloadIntent?
    /// Owned Services to create.
    public var services: [ServiceIntent] = []
    /// With a router: the canary weight the route must carry (nil: leave the route as it is).
    public var routeWeight: Int?
    /// The status to write (compared with the current one by the applier: unchanged means no write).
    public var status: RolloutStatus
    public var events: [PlannedEvent] = []
    /// Ask the reconciler to run this analysis step and call the planner again with its result.
    public var interval: IntervalRequest?
    /// When to look again even if nothing changes (a pause ends, an interval is due, a deadline passes).
    public var requeueAfter: Duration?
    /// The spec with defaults applied that the plan was made from (nil when the spec is invalid).
    public var effective: EffectiveRollout?

    public init(status: RolloutStatus) { self.status = status }

    mutating func wake(after d: Duration) {
        let d = max(d, .milliseconds(100))
        requeueAfter = requeueAfter.map { min($0, d) } ?? d
    }

    mutating func wake(at date: Date, now: Date) {
        wake(after: .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000) + 1))
    }
}

/// One owned Deployment as it must be.
public struct DeploymentIntent: Sendable, Equatable {
    public var track: Track
    public var replicas: Int
    /// What it must run; nil: only scale it, leaving its template as it is.
    public var run: Template?

    /// A template to run: the decorated pod template, its hash and version.
    public struct Template: Sendable, Equatable {
        public var hash: String
        public var version: String
        public var podTemplate: JSONValue
    }

    public static func scale(_ track: Track, to replicas: Int) -> DeploymentIntent {
        DeploymentIntent(track: track, replicas: replicas, run: nil)
    }
}

/// One owned Service to create.
public struct ServiceIntent: Sendable, Equatable {
    public var name: String
    /// nil: both tracks.
    public var track: Track?
}

/// An Event to record on the Rollout.
public struct PlannedEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case normal = "Normal", warning = "Warning" }
    public var kind: Kind
    public var reason: String
    public var message: String

    public init(_ kind: Kind, _ reason: String, _ message: String) {
        self.kind = kind
        self.reason = reason
        self.message = message
    }
}

/// An analysis step the planner wants run before it decides.
public enum IntervalRequest: Sendable, Equatable {
    /// Start the analysis of this canary version: fetch stable's baseline over `(from, to]` and fix the plan.
    case start(baselineFrom: Date, to: Date)
    /// Observe the interval `(start, end]`; `final`: the window ends with it.
    case observe(start: Date, end: Date, final: Bool)
}
