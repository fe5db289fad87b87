import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// The two finalizers and what they guard on deletion:
/// - `fledge.dev/traffic-routing` (with a router): the route is sent back to stable before the Rollout goes;
/// - `fledge.dev/workload-scale-back` (with `spec.workloadRef`): the referenced Deployment is scaled back up, and
///   its pods are available, before the Rollout (and with it the stable Deployment) goes.
/// Both are removed in one patch once their work is done. A controller that is gone cannot remove them:
/// docs/migrating.md and docs/install.md say how to remove them by hand.
extension RolloutReconciler {
    /// The finalizers a live Rollout must carry.
    static func wantedFinalizers(route: Bool, rollout: Rollout) -> [String] {
        (route ? [FledgeNames.routeFinalizer] : []) + (rollout.spec?.workloadRef != nil ? [FledgeNames.workloadFinalizer] : [])
    }

    /// Sets Fledge's finalizers to `wanted` (others' stay as they are): one merge patch of the whole list, guarded by
    /// the resourceVersion.
    func setFinalizers(_ wanted: [String], on rollout: Rollout) async throws {
        let ours = [FledgeNames.routeFinalizer, FledgeNames.workloadFinalizer]
        let list = (rollout.metadata.finalizers ?? []).filter { !ours.contains($0) } + wanted
        let namespace = rollout.metadata.namespace ?? "default", name = rollout.metadata.name ?? ""
        let patch: JSONValue = ["metadata": ["resourceVersion": .string(rollout.metadata.resourceVersion ?? ""),
                                             "finalizers": .array(list.map { .string($0) })]]
        try applier.term.check()
        let written: DynamicObject = try await applier.client.patch(
            .rollouts, name: name, namespace: namespace, .merge(patch), options: WriteOptions(fieldManager: applier.fieldManager))
        applier.remember("rollouts", namespace, name, rollout.metadata.resourceVersion ?? "", written)
    }

    /// Fledge's finalizers on `rollout`, in a stable order.
    static func presentFinalizers(_ rollout: Rollout) -> [String] {
        [FledgeNames.routeFinalizer, FledgeNames.workloadFinalizer].filter { (rollout.metadata.finalizers ?? []).contains($0) }
    }

    /// The Rollout is being deleted: the route goes back to stable, the referenced Deployment is scaled back up
    /// and serving, then the finalizers go. Returns when to look again while the Deployment's pods come up (nil:
    /// done). A failure to write is retried (the finalizers stay).
    func finalize(_ rollout: Rollout) async throws -> Duration? {
        let present = Self.presentFinalizers(rollout)
        if present.contains(FledgeNames.routeFinalizer) {
            var ignored: [FieldError] = []
            let named = RolloutResolver.routing(rollout.spec?.strategy?.canary?.trafficRouting,
                                                namespace: rollout.metadata.namespace ?? "default",
                                                crossNamespace: defaults.crossNamespaceRoutes, &ignored).route
            // The route the spec names and the one last set (they differ when the spec changed just before deletion).
            var routes = [named, rollout.status?.trafficRoute?.reference].compactMap { $0 }
            if routes.count == 2, routes[0] == routes[1] { routes.removeLast() }
            for route in routes { try await restore(route, of: rollout) }
        }
        if present.contains(FledgeNames.workloadFinalizer), let wait = try await scaleBack(rollout) { return wait }
        if !present.isEmpty { try await setFinalizers([], on: rollout) }
        return nil
    }

    /// Sends `route` back to stable (NGINX: deletes the canary Ingress). Missing or unusable: nothing to restore.
    func restore(_ route: RouteReference, of rollout: Rollout) async throws {
        guard let target = PlanApplier.routeTarget(route, rollout: rollout), let router = applier.routers.router(for: route.kind) else { return }
        try applier.term.check()
        try await router.cleanUp(target)
        logger.info("route sent back to stable", metadata: [
            "rollout": "\(rollout.metadata.namespace ?? "")/\(rollout.metadata.name ?? "")", "route": "\(route)",
        ])
    }

    /// The referenced Deployment back at the Rollout's size and serving, read fresh from the API server: scaled up
    /// if it has fewer replicas, waited for until its pods are available, then its label removed. Returns when to
    /// look again (nil: done; also when it is gone or was never this Rollout's).
    func scaleBack(_ rollout: Rollout) async throws -> Duration? {
        guard let name = rollout.spec?.workloadRef?.name, !name.isEmpty else { return nil }
        let namespace = rollout.metadata.namespace ?? "default", rolloutName = rollout.metadata.name ?? ""
        let fetched: Deployment?
        do {
            fetched = try await applier.client.get(Deployment.self, name: name, namespace: namespace)
        } catch KubeError.notFound {
            fetched = nil
        }
        guard let d = fetched.map(WorkloadObservation.init), d.referencedBy == rolloutName else { return nil }
        let replicas = rollout.spec?.replicas ?? rollout.status?.workload?.replicas ?? d.specReplicas
        if d.specReplicas < replicas {
            let patch: JSONValue = ["metadata": ["resourceVersion": .string(d.resourceVersion)], "spec": ["replicas": .number(Double(replicas))]]
            try await applier.patchWorkload(name, namespace: namespace, patch, before: d.resourceVersion)
            await applier.record(PlannedEvent(.normal, "WorkloadScalingBack",
                                              "Rollout deleted: Deployment \(name) scaled from \(d.specReplicas) back to \(replicas); the Rollout's pods stay until its pods are available"),
                                 rollout: rollout, now: now())
            return .seconds(1)
        }
        if d.observedGeneration < d.generation || d.availableReplicas < min(replicas, d.specReplicas) {
            return .seconds(2)
        }
        let patch: JSONValue = ["metadata": ["resourceVersion": .string(d.resourceVersion), "labels": [FledgeNames.workloadLabel: .null]]]
        try await applier.patchWorkload(name, namespace: namespace, patch, before: d.resourceVersion)
        logger.info("referenced Deployment scaled back", metadata: ["rollout": "\(namespace)/\(rolloutName)", "deployment": "\(name)"])
        return nil
    }
}
