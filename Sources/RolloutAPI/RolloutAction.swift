/// A one-shot action asked for with the annotation `fledge.dev/action: <verb>:<id>`. The controller acts on each
/// id once and records it in `status.lastAction`.
public struct RolloutAction: Sendable, Equatable {
    /// What the user asked for.
    public enum Verb: String, Sendable, CaseIterable {
        /// Finish the current step (a pause or an analysis window) and go on to the next.
        case promote
        /// Skip every remaining step: the canary becomes stable now.
        case promoteFull = "promote-full"
        /// Stop the canary: scale it to zero, stable takes all traffic, phase Degraded.
        case abort
        /// Start an aborted or rolled-back canary again from its first step.
        case retry
        /// Run the current step's analysis window again on fresh data (after an inconclusive window, a metrics
        /// outage or a contested route); the evidence gathered so far is kept.
        case reanalyze
    }

    public var verb: Verb
    public var id: String

    public init(verb: Verb, id: String) {
        self.verb = verb
        self.id = id
    }

    /// The annotation's value for this action.
    public var annotationValue: String { "\(verb.rawValue):\(id)" }

    /// Parses `promote:abc`. Throws a message naming what is wrong.
    public static func parse(_ value: String) throws(RolloutActionError) -> RolloutAction {
        guard let colon = value.firstIndex(of: ":") else {
            throw RolloutActionError(message: "\"\(value)\" is not <action>:<id> (actions: \(Verb.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let verbText = String(value[..<colon])
        let id = String(value[value.index(after: colon)...])
        guard let verb = Verb(rawValue: verbText) else {
            throw RolloutActionError(message: "unknown action \"\(verbText)\" (actions: \(Verb.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard !id.isEmpty else { throw RolloutActionError(message: "action \"\(verbText)\" has an empty id") }
        return RolloutAction(verb: verb, id: id)
    }
}

/// A malformed `fledge.dev/action` annotation.
public struct RolloutActionError: Error, Equatable, Sendable {
    public var message: String
}

/// Names the API pins: labels, annotations, owned object names.
public enum FledgeNames {
    public static let actionAnnotation = "fledge.dev/action"
    public static let rolloutLabel = "fledge.dev/rollout"
    public static let trackLabel = "fledge.dev/track"
    public static let versionLabel = "app.kubernetes.io/version"
    /// On owned Deployments: the hash of the Rollout template they run.
    public static let templateHashAnnotation = "fledge.dev/template-hash"
    public static let fieldManager = "fledge-controller"
    /// On Rollouts that use a router: the route is sent back to stable before the Rollout goes away.
    public static let routeFinalizer = "fledge.dev/traffic-routing"
    /// On a Deployment a Rollout's `spec.workloadRef` names: the Rollout's name (so a change to it wakes the Rollout,
    /// and a second Rollout cannot take it over too).
    public static let workloadLabel = "fledge.dev/workload-of"
    /// On Rollouts with `spec.workloadRef`: the referenced Deployment is scaled back up before the Rollout goes away.
    public static let workloadFinalizer = "fledge.dev/workload-scale-back"

    public static func stableDeployment(_ rollout: String) -> String { "\(rollout)-stable" }
    public static func canaryDeployment(_ rollout: String) -> String { "\(rollout)-canary" }
    public static func service(_ rollout: String) -> String { rollout }
    public static func stableService(_ rollout: String) -> String { "\(rollout)-stable" }
    public static func canaryService(_ rollout: String) -> String { "\(rollout)-canary" }
}

/// `stable` or `canary`: the value of the `fledge.dev/track` label and of `deployment.track`.
public enum Track: String, Sendable, CaseIterable, Codable {
    case stable
    case canary
}
