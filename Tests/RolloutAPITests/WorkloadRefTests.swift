import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// `spec.workloadRef`: checked field by field, and the referenced Deployment's template, selector and size stand in
/// for the spec's.
struct WorkloadRefTests {
    static func referencing(_ ref: WorkloadRef, template: Bool = false, replicas: Int? = nil, selector: Bool = false) -> Rollout {
        validRollout { spec in
            spec.workloadRef = ref
            spec.template = template ? spec.template : nil
            spec.replicas = replicas
            if !selector { spec.selector = nil }
        }
    }

    static let deployment = ReferencedWorkload(template: podTemplate(), selector: LabelSelector(matchLabels: ["app": "shop"]), replicas: 3)

    func errors(_ rollout: Rollout, workload: ReferencedWorkload? = deployment) -> [FieldError] {
        guard case .failure(let invalid) = RolloutResolver.resolve(rollout, workload: workload) else { return [] }
        return invalid.errors
    }

    @Test func theDeploymentsTemplateSelectorAndSizeStandInForTheSpecs() throws {
        let e = try RolloutResolver.resolve(Self.referencing(WorkloadRef(name: "web", scaleDown: "progressively")), workload: Self.deployment).get()
        #expect(e.template == podTemplate())
        #expect(e.selector == LabelSelector(matchLabels: ["app": "shop"]))
        #expect(e.replicas == 3)
        #expect(e.workload == EffectiveWorkload(name: "web", scaleDown: .progressively))
        #expect(e.templateHash == (try RolloutResolver.resolve(validRollout()).get()).templateHash, "the same template, the same hash")
        // The spec's own replicas and selector win.
        let own = try RolloutResolver.resolve(Self.referencing(WorkloadRef(name: "web"), replicas: 5, selector: true), workload: Self.deployment).get()
        #expect(own.replicas == 5)
        #expect(own.workload?.scaleDown == .never, "never by default, as in Argo Rollouts")
    }

    @Test func everyWrongFieldIsNamed() {
        #expect(errors(Self.referencing(WorkloadRef(name: "web"), template: true)).map(\.field) == ["spec.workloadRef"])
        #expect(errors(Self.referencing(WorkloadRef(apiVersion: "apps/v1beta1", kind: "StatefulSet", name: "web"))).map(\.field)
            == ["spec.workloadRef.apiVersion", "spec.workloadRef.kind"])
        #expect(errors(Self.referencing(WorkloadRef(name: ""))).map(\.field) == ["spec.workloadRef.name"])
        #expect(errors(Self.referencing(WorkloadRef(name: "shop-stable"))).first?.message.contains("creates for a track") == true)
        let policy = errors(Self.referencing(WorkloadRef(name: "web", scaleDown: "gradually")))
        #expect(policy == [FieldError("spec.workloadRef.scaleDown", "must be one of never, onsuccess, progressively, got \"gradually\"")])
    }

    @Test func aMissingOrEmptyDeploymentIsNamed() {
        #expect(errors(Self.referencing(WorkloadRef(name: "web")), workload: nil)
            == [FieldError("spec.workloadRef.name", "Deployment web not found in namespace default")])
        #expect(errors(Self.referencing(WorkloadRef(name: "web")), workload: ReferencedWorkload(template: nil, selector: nil, replicas: 1))
            == [FieldError("spec.workloadRef.name", "Deployment web has no pod template")])
    }

    @Test func aProblemInTheDeploymentsTemplateNamesTheDeployment() {
        var template = podTemplate()
        template[path: ["spec", "containers"]] = .array([])
        let found = errors(Self.referencing(WorkloadRef(name: "web")),
                           workload: ReferencedWorkload(template: template, selector: LabelSelector(matchLabels: ["app": "shop"]), replicas: 2))
        #expect(found == [FieldError("spec.workloadRef", "Deployment web: spec.template.spec.containers: must list at least one container")])
    }

    @Test func neitherTemplateNorWorkloadRefSaysBoth() {
        let found = errors(validRollout { $0.template = nil }, workload: nil)
        #expect(found.first == FieldError("spec.template", "required (or spec.workloadRef, to run an existing Deployment's template)"))
    }
}
