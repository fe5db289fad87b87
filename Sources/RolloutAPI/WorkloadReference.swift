import Kube
import KubeJSON

/// `spec.workloadRef`: an existing Deployment whose pod template the Rollout runs, instead of `spec.template` — the
/// way to move a live Deployment to Fledge without downtime.
public struct WorkloadRef: Codable, Sendable, Equatable {
    /// `apps/v1`.
    public var apiVersion: String?
    /// `Deployment`.
    public var kind: String?
    /// The Deployment's name, in the Rollout's namespace.
    public var name: String?
    /// `never` (default), `onsuccess` or `progressively`: what happens to the Deployment's own pods.
    public var scaleDown: String?

    public init(apiVersion: String? = "apps/v1", kind: String? = "Deployment", name: String? = nil, scaleDown: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.scaleDown = scaleDown
    }
}

/// What happens to the referenced Deployment's pods once the Rollout runs its template.
public enum ScaleDownPolicy: String, Sendable, CaseIterable {
    /// Left alone: its pods keep running beside the Rollout's (and its own Service keeps reaching them).
    case never
    /// Scaled to zero once the Rollout's stable pods are all available.
    case onsuccess
    /// Lowered as the Rollout's pods become available, so old and new together never serve with fewer than
    /// `spec.replicas` available pods.
    case progressively
}

/// `spec.workloadRef`, resolved.
public struct EffectiveWorkload: Sendable, Equatable {
    /// The referenced Deployment's name (same namespace as the Rollout).
    public var name: String
    public var scaleDown: ScaleDownPolicy

    public init(name: String, scaleDown: ScaleDownPolicy) {
        self.name = name
        self.scaleDown = scaleDown
    }
}

/// What the controller read of the referenced Deployment, for ``RolloutResolver/resolve(_:defaults:workload:)``:
/// the template and selector the Rollout takes from it, and the replica count it defaults to.
public struct ReferencedWorkload: Sendable, Equatable {
    /// `spec.template` of the Deployment (nil: it has none).
    public var template: JSONValue?
    /// `spec.selector` of the Deployment.
    public var selector: LabelSelector?
    /// The replicas the Rollout defaults to: as recorded in `status.workload` when the Rollout first saw the
    /// Deployment, else the Deployment's `spec.replicas` now.
    public var replicas: Int?

    public init(template: JSONValue?, selector: LabelSelector?, replicas: Int?) {
        self.template = template
        self.selector = selector
        self.replicas = replicas
    }
}

/// `status.workload`: what the controller keeps about the referenced Deployment.
public struct WorkloadStatus: Codable, Sendable, Equatable {
    /// The Deployment's name.
    public var name: String
    /// Its `spec.replicas` when the Rollout first saw it: the Rollout's size when `spec.replicas` is omitted.
    public var replicas: Int?
    /// The Deployment has been scaled to zero by `scaleDown` (onsuccess or progressively).
    public var scaledDown: Bool?

    public init(name: String, replicas: Int?, scaledDown: Bool? = nil) {
        self.name = name
        self.replicas = replicas
        self.scaledDown = scaledDown
    }
}

extension RolloutResolver {
    /// `spec.workloadRef` checked; nil (with errors) when it is unusable. The template it stands for is
    /// substituted by ``resolve(_:defaults:workload:)``.
    static func workload(_ ref: WorkloadRef, rollout: String, hasTemplate: Bool, _ errors: inout [FieldError]) -> EffectiveWorkload? {
        let f = "spec.workloadRef"
        var ok = true
        if hasTemplate {
            errors.append(FieldError(f, "set either spec.template or spec.workloadRef, not both"))
            ok = false
        }
        if let v = ref.apiVersion, v != "apps/v1" {
            errors.append(FieldError("\(f).apiVersion", "must be apps/v1, got \"\(v)\""))
            ok = false
        }
        if let k = ref.kind, k != "Deployment" {
            errors.append(FieldError("\(f).kind", "must be Deployment (the only kind a Rollout can take over), got \"\(k)\""))
            ok = false
        }
        let name = ref.name ?? ""
        if name.isEmpty {
            errors.append(FieldError("\(f).name", "required"))
            ok = false
        } else if name == FledgeNames.stableDeployment(rollout) || name == FledgeNames.canaryDeployment(rollout) {
            errors.append(FieldError("\(f).name", "\(name) is the Deployment this Rollout creates for a track; name the Deployment to take over"))
            ok = false
        }
        var policy = ScaleDownPolicy.never
        if let text = ref.scaleDown {
            if let p = ScaleDownPolicy(rawValue: text) { policy = p } else {
                errors.append(FieldError("\(f).scaleDown", "must be one of never, onsuccess, progressively, got \"\(text)\""))
                ok = false
            }
        }
        return ok ? EffectiveWorkload(name: name, scaleDown: policy) : nil
    }
}
