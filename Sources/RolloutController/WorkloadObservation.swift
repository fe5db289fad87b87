import Kube
import KubeJSON
import RolloutAPI

/// The Deployment a Rollout's `spec.workloadRef` names, as the planner sees it: the template the Rollout takes
/// from it, and how many pods it runs (the Rollout may scale it down as its own pods become available).
public struct WorkloadObservation: Sendable, Equatable {
    public var name: String
    /// `spec.template` as the API server holds it (every field, read from the object's JSON).
    public var podTemplate: JSONValue?
    public var selector: LabelSelector?
    public var specReplicas: Int
    public var availableReplicas: Int
    public var generation: Int
    public var observedGeneration: Int
    public var resourceVersion: String
    /// The value of its `fledge.dev/workload-of` label: the Rollout that runs it (nil: none yet).
    public var referencedBy: String?

    public init(name: String, podTemplate: JSONValue?, selector: LabelSelector? = nil, specReplicas: Int, availableReplicas: Int = 0,
                generation: Int = 1, observedGeneration: Int = 1, resourceVersion: String = "", referencedBy: String? = nil) {
        self.name = name
        self.podTemplate = podTemplate
        self.selector = selector
        self.specReplicas = specReplicas
        self.availableReplicas = availableReplicas
        self.generation = generation
        self.observedGeneration = observedGeneration
        self.resourceVersion = resourceVersion
        self.referencedBy = referencedBy
    }

    /// From a Deployment that kept its original JSON (the template is read from it, so nothing the typed model
    /// leaves out is lost).
    public init(_ d: Deployment) {
        self.init(name: d.metadata.name ?? "", podTemplate: d.originalJSON?[path: ["spec", "template"]],
                  selector: d.spec?.selector, specReplicas: d.spec?.replicas ?? 1,
                  availableReplicas: d.status?.availableReplicas ?? 0, generation: d.metadata.generation ?? 0,
                  observedGeneration: d.status?.observedGeneration ?? 0, resourceVersion: d.metadata.resourceVersion ?? "",
                  referencedBy: d.metadata.labels?[FledgeNames.workloadLabel])
    }

    /// What the resolver takes from it: the template, the selector, and the replicas recorded when the Rollout
    /// first saw it (else its replicas now).
    func referenced(recorded: WorkloadStatus?) -> ReferencedWorkload {
        ReferencedWorkload(template: podTemplate, selector: selector,
                           replicas: recorded?.name == name ? (recorded?.replicas ?? specReplicas) : specReplicas)
    }
}

/// What the referenced Deployment must become: labelled as the Rollout's, and (by `scaleDown`) its size.
public struct WorkloadIntent: Sendable, Equatable {
    public var name: String
    /// The replicas it must have (nil: leave its size alone).
    public var replicas: Int?

    public init(name: String, replicas: Int?) {
        self.name = name
        self.replicas = replicas
    }
}
