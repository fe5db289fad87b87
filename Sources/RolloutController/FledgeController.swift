import Foundation
import Kube
import KubeRuntime
import Logging
import RolloutAPI
import ServiceLifecycle

/// Options of the Rollout controller.
public struct FledgeControllerOptions: Sendable {
    /// Namespaces to watch; empty: all.
    public var namespaces: [String] = []
    public var workers = 4
    public var defaults = RolloutDefaults()
    /// How often every Rollout is reconciled even when nothing changed.
    public var resyncPeriod: Duration? = .seconds(600)
    /// Until when this process may write (the leader election's term); every write checks it first.
    public var term = LeadershipTerm.unbounded()

    public init() {}
}

/// The Rollout controller assembled: informers for Rollouts, the Deployments and Services they own and the
/// Deployments they reference, a work queue, and workers running ``RolloutReconciler``. The informers run on every replica; only ``controller``
/// should run under leader election.
public final class FledgeController: Sendable {
    /// Every permission the controller's requests need in the namespaces it manages, merged: its informers, the
    /// reconciler, the applier and the standard routers. The shipped ClusterRole grants exactly this (a test
    /// holds the two equal); the leader Lease is ``KubeLeaseStore/apiAccess``, in the controller's own namespace.
    public static let apiAccess: [APIAccess] = APIAccess.merged(
        KubeListerWatcher<Rollout>.apiAccess + KubeListerWatcher<Deployment>.apiAccess + KubeListerWatcher<Kube.Service>.apiAccess
            + RolloutReconciler.apiAccess + PlanApplier.apiAccess + TrafficRouterRegistry.standardAPIAccess)

    public let informers: [any ServiceLifecycle.Service]
    public let controller: Controller<RolloutReconciler>
    private let syncs: [@Sendable () async throws -> Void]
    private let source: any AnalysisMetricsSource

    public init(client: KubeClient, options: FledgeControllerOptions, metricsSource: any AnalysisMetricsSource,
                metrics: ControllerMetrics = ControllerMetrics(), routers: TrafficRouterRegistry? = nil, logger: Logger) {
        let scopes: [String?] = options.namespaces.isEmpty ? [nil] : options.namespaces.map { Optional($0) }
        let selector = FledgeNames.rolloutLabel
        var rolloutInformers: [String?: Informer<KubeListerWatcher<Rollout>>] = [:]
        var deploymentInformers: [String?: Informer<KubeListerWatcher<Deployment>>] = [:]
        var serviceInformers: [String?: Informer<KubeListerWatcher<Kube.Service>>] = [:]
        var workloadInformers: [String?: Informer<KubeListerWatcher<Deployment>>] = [:]
        for scope in scopes {
            rolloutInformers[scope] = Informer(name: "rollouts",
                                               source: KubeListerWatcher<Rollout>(client: client, namespace: scope, transform: CacheTrim.rollout),
                                               resyncPeriod: options.resyncPeriod, logger: logger)
            deploymentInformers[scope] = Informer(name: "deployments",
                                                  source: KubeListerWatcher<Deployment>(client: client, namespace: scope, labelSelector: selector,
                                                                                        transform: CacheTrim.deployment),
                                                  logger: logger)
            serviceInformers[scope] = Informer(name: "services",
                                               source: KubeListerWatcher<Kube.Service>(client: client, namespace: scope, labelSelector: selector,
                                                                                          transform: CacheTrim.service),
                                               logger: logger)
            workloadInformers[scope] = Informer(name: "referenced-deployments",
                                                source: KubeListerWatcher<Deployment>(client: client, namespace: scope,
                                                                                      labelSelector: FledgeNames.workloadLabel,
                                                                                      transform: CacheTrim.workload),
                                                logger: logger)
        }
        let all = options.namespaces.isEmpty
        let routeWatch = RouteWatch(client: client, scopes: scopes, logger: logger)
        let rolloutStores = rolloutInformers.mapValues(\.store)
        let deploymentStores = deploymentInformers.mapValues(\.store)
        let serviceStores = serviceInformers.mapValues(\.store)
        let workloadStores = workloadInformers.mapValues(\.store)
        let reconciler = RolloutReconciler(
            rollouts: { key in rolloutStores[all ? nil : key.namespace]?.get(key) },
            deployments: { ns, name in deploymentStores[all ? nil : ns]?.get(namespace: ns, name: name) },
            services: { ns, name in serviceStores[all ? nil : ns]?.get(namespace: ns, name: name) },
            workloads: { ns, name in workloadStores[all ? nil : ns]?.get(namespace: ns, name: name) },
            applier: PlanApplier(client: client, routers: routers ?? .standard(client: client, fieldManager: FledgeNames.fieldManager),
                                 term: options.term, logger: logger),
            runner: AnalysisRunner(source: metricsSource, logger: logger),
            defaults: options.defaults, metrics: metrics, routeWatch: routeWatch, logger: logger)
        controller = Controller(name: "rollouts", reconciler: reconciler, workers: options.workers, metrics: metrics, logger: logger)
        for scope in scopes {
            rolloutInformers[scope]!.enqueueKeys(into: controller.queue, priority: RolloutEvents.priority)
            deploymentInformers[scope]!.enqueueOwners(ofKind: "Rollout", into: controller.queue)
            serviceInformers[scope]!.enqueueOwners(ofKind: "Rollout", into: controller.queue)
            // A referenced Deployment wakes the Rollout its label names.
            workloadInformers[scope]!.enqueue(into: controller.queue) { d in
                d.metadata.labels?[FledgeNames.workloadLabel].map { [ObjectKey(namespace: d.metadata.namespace, name: $0)] } ?? []
            }
        }
        routeWatch.deliver(to: controller.queue)
        var informers: [any ServiceLifecycle.Service] = [routeWatch]
        var syncs: [@Sendable () async throws -> Void] = []
        for scope in scopes {
            let r = rolloutInformers[scope]!, d = deploymentInformers[scope]!, s = serviceInformers[scope]!, w = workloadInformers[scope]!
            informers += [d, s, w, r] as [any ServiceLifecycle.Service]
            syncs += [{ try await d.waitForSync() }, { try await s.waitForSync() }, { try await w.waitForSync() },
                      { try await r.waitForSync() }]
        }
        self.informers = informers
        self.syncs = syncs
        self.source = metricsSource
    }

    /// Returns once every informer has listed (the caches are complete).
    public func waitForSync() async throws {
        for sync in syncs { try await sync() }
    }

    public func shutdown() async {
        await source.shutdown()
    }
}

/// Which Rollout events are due work. A change to what the Rollout asks for (its spec and generation, the action
/// annotation, labels, finalizers, deletion) is; an update that changed nothing but status — mostly the echo of the
/// controller's own status write — goes to the low lane: the reconcile that wrote it already asked to be woken
/// when its next step is due, and due work must not wait behind a thousand echoes.
enum RolloutEvents {
    @Sendable static func priority(_ event: InformerEvent<Rollout>) -> WorkPriority {
        guard case .updated(let old, let new) = event else { return .normal }
        let a = old.metadata, b = new.metadata
        let statusOnly = a.generation == b.generation && a.annotations == b.annotations && a.labels == b.labels
            && a.finalizers == b.finalizers && a.deletionTimestamp == b.deletionTimestamp && old.spec == new.spec
            && old.specDecodingError == new.specDecodingError
        return statusOnly ? .low : .normal
    }
}

/// What the caches keep of each object: only what the planner reads. Managed fields and the original JSON are
/// most of an object's memory and the controller never writes a cached object back (it builds its patches), so
/// both go; owned Deployments also drop their pod template (their annotation names the template they run).
enum CacheTrim {
    @Sendable static func rollout(_ r: Rollout) -> Rollout {
        var r = r
        r.originalJSON = nil
        r.metadata.managedFields = nil
        return r
    }

    @Sendable static func deployment(_ d: Deployment) -> Deployment {
        var d = d
        d.originalJSON = nil
        d.metadata.managedFields = nil
        d.spec?.template = nil
        return d
    }

    /// A referenced Deployment keeps its JSON (its template is the Rollout's, every field of it) without managed
    /// fields or the last-applied annotation; the typed template goes (the JSON holds it).
    @Sendable static func workload(_ d: Deployment) -> Deployment {
        var d = d
        d.metadata.managedFields = nil
        d.spec?.template = nil
        if var json = d.originalJSON?.objectValue, var meta = json["metadata"]?.objectValue {
            meta["managedFields"] = nil
            if var annotations = meta["annotations"]?.objectValue {
                annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
                meta["annotations"] = .object(annotations)
            }
            json["metadata"] = .object(meta)
            d.originalJSON = .object(json)
        }
        return d
    }

    @Sendable static func service(_ s: Kube.Service) -> Kube.Service {
        var s = s
        s.originalJSON = nil
        s.metadata.managedFields = nil
        return s
    }
}

/// Runs `body` (the controller's workers) only after the caches have synced.
public struct SyncedService<Inner: ServiceLifecycle.Service>: ServiceLifecycle.Service {
    let inner: Inner
    let sync: @Sendable () async throws -> Void

    public init(_ inner: Inner, after sync: @escaping @Sendable () async throws -> Void) {
        self.inner = inner
        self.sync = sync
    }

    public func run() async throws {
        try await sync()
        try await inner.run()
    }
}
