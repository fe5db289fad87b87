import Kube

/// Where the simulator reads the pods from: one list of Pods per poll, in the given namespaces (all namespaces
/// when none), filtered by a label selector.
public struct PodSource: Sendable {
    private let listPods: @Sendable () async throws -> [Pod]

    /// Lists through `client`: one `listAll` per namespace per poll (a single one across all namespaces when
    /// `namespaces` is empty).
    public init(client: KubeClient, namespaces: [String] = [], selector: String? = nil) {
        let options = ListOptions(labelSelector: selector.flatMap { $0.isEmpty ? nil : $0 })
        let scopes: [String?] = namespaces.isEmpty ? [nil] : Array(Set(namespaces)).sorted()
        listPods = {
            var pods: [Pod] = []
            for namespace in scopes {
                pods += try await client.listAll(Pod.self, namespace: namespace, options: options).items
            }
            return pods
        }
    }

    /// Lists with `list` (tests, or another source of pods).
    public init(list: @escaping @Sendable () async throws -> [Pod]) {
        listPods = list
    }

    /// The pods now.
    public func pods() async throws -> [PodDescription] {
        try await listPods().map(PodDescription.init(pod:))
    }
}
