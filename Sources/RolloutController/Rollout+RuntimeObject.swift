import Kube
import KubeRuntime
import RolloutAPI

extension Rollout: RuntimeObject {
    public var name: String { metadata.name ?? "" }
    public var uid: String { metadata.uid ?? "" }
    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var ownerReferences: [KubeRuntime.OwnerReference] {
        (metadata.ownerReferences ?? []).map {
            KubeRuntime.OwnerReference(kind: $0.kind, name: $0.name, uid: $0.uid, controller: $0.controller ?? false)
        }
    }
}
