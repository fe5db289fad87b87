import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import KubeRuntime
import Logging
import RolloutAPI
import Tracing

/// Reconciles one Rollout: observe (from the informer caches), plan (pure), apply (then one status write).
public struct RolloutReconciler: Reconciler {
    /// What its own requests need (the rest go through ``PlanApplier`` and the routers): a Deployment or Service
    /// it is about to create read first (never take over what is not ours), the stable Deployment read whole
    /// once (its template, on the upgrade path), the Rollout and its Deployments read fresh before a new
    /// leader's first write, the route finalizer patched onto the Rollout.
    public static let apiAccess: [APIAccess] = [
        APIAccess(.deployments, ["get"]),
        APIAccess(.services, ["get"]),
        APIAccess(.rollouts, ["get", "patch"]),
    ]

    public let rollouts: @Sendable (ObjectKey) -> Rollout?
    public let deployments: @Sendable (_ namespace: String, _ name: String) -> Deployment?
    public let services: @Sendable (_ namespace: String, _ name: String) -> Kube.Service?
    /// Deployments some Rollout's `spec.workloadRef` names, as cached (labelled `fledge.dev/workload-of`, kept with
    /// their JSON); one not in the cache yet is read from the API server.
    public let workloads: @Sendable (_ namespace: String, _ name: String) -> Deployment?
    public let applier: PlanApplier
    public let runner: AnalysisRunner
    public let defaults: RolloutDefaults
    public let metrics: ControllerMetrics
    public let now: @Sendable () -> Date
    /// Told which route each Rollout uses, so a change to the route wakes its Rollout.
    public let routeWatch: RouteWatch?
    /// What this process has read fresh since it began to lead (see ``cacheIsBehind(for:_:namespace:)``).
    let freshReads = FreshReads()
    let logger: Logger

    public init(rollouts: @escaping @Sendable (ObjectKey) -> Rollout?,
                deployments: @escaping @Sendable (String, String) -> Deployment?,
                services: @escaping @Sendable (String, String) -> Kube.Service?,
                workloads: @escaping @Sendable (String, String) -> Deployment? = { _, _ in nil },
                applier: PlanApplier, runner: AnalysisRunner, defaults: RolloutDefaults, metrics: ControllerMetrics,
                now: @escaping @Sendable () -> Date = { Date() }, routeWatch: RouteWatch? = nil, logger: Logger) {
        self.rollouts = rollouts
        self.deployments = deployments
        self.services = services
        self.workloads = workloads
        self.applier = applier
        self.runner = runner
        self.defaults = defaults
        self.metrics = metrics
        self.now = now
        self.routeWatch = routeWatch
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        // No request of this reconcile may still be in flight when a follower could take over.
        let term = applier.term
        return try await KubeClient.$requestTimeoutCap.withValue(RequestTimeoutCap { term.timeBeforeTakeover }) {
            try await withSpan("reconcile") { span in
                span.attributes["rollout.namespace"] = key.namespace ?? ""
                span.attributes["rollout.name"] = key.name
                return try await reconcileTraced(key)
            }
        }
    }

    func reconcileTraced(_ key: ObjectKey) async throws -> ReconcileResult {
        let namespace = key.namespace ?? "default"
        guard let rollout = rollouts(key) else {
            metrics.forget(namespace: namespace, name: key.name)
            routeWatch?.use(nil, by: key)
            applier.forgetRouteWrites(namespace: namespace, rollout: key.name)
            freshReads.forget(namespace: namespace, rollout: key.name)
            return .done
        }
        if rollout.metadata.deletionTimestamp != nil {
            if let wait = try await finalize(rollout) { return .requeue(after: wait) }
            metrics.forget(namespace: namespace, name: key.name)
            return .done
        }
        if let why = rollout.statusDecodingError {
            // The rollout's state (step, evidence, stop) is in its status; acting without it could repeat a step or
            // promote a failed canary. Retry with backoff and say why.
            throw UnreadableStatus(rollout: "\(key)", reason: why)
        }
        let uid = rollout.metadata.uid
        // Never act on a cache that has not seen this controller's last write: wait for the watch to catch up.
        let writes = applier.writes
        let stableName = FledgeNames.stableDeployment(key.name), canaryName = FledgeNames.canaryDeployment(key.name)
        let stable = deployments(namespace, stableName), canary = deployments(namespace, canaryName)
        var stale = writes.isStale(PlanApplier.key("rollouts", namespace, key.name), cachedVersion: rollout.metadata.resourceVersion ?? "")
        for (name, d) in [(stableName, stable), (canaryName, canary)] {
            if let d, writes.isStale(PlanApplier.key("deployments", namespace, name), cachedVersion: d.metadata.resourceVersion ?? "") {
                stale = true
            }
        }
        let workloadName = rollout.spec?.workloadRef?.name.flatMap { $0.isEmpty ? nil : $0 }
        let cachedWorkload = workloadName.flatMap { workloads(namespace, $0) }
        if let workloadName, let d = cachedWorkload,
           writes.isStale(PlanApplier.key("deployments", namespace, workloadName), cachedVersion: d.metadata.resourceVersion ?? "") {
            stale = true
        }
        if stale { return .requeue(after: .milliseconds(50)) }
        // The route (read, not cached: nothing else watches it), and the finalizer that restores it on deletion.
        var ignored: [FieldError] = []
        let route = RolloutResolver.routing(rollout.spec?.strategy?.canary?.trafficRouting, namespace: namespace,
                                            crossNamespace: defaults.crossNamespaceRoutes, &ignored).route
        routeWatch?.use(route, by: key)
        let recorded = rollout.status?.trafficRoute?.reference
        var keepRecorded = false
        if let recorded, recorded != route {
            // The spec names another route now, or none: the one this controller was setting goes back to stable
            // first, so no route is left sending traffic to a canary nothing manages any more. If that fails, the
            // rollout goes on and the old route stays recorded, to be restored on a later pass.
            do {
                try await restore(recorded, of: rollout)
            } catch {
                keepRecorded = true
                logger.warning("could not send the previous route back to stable; will retry", metadata: [
                    "rollout": "\(key)", "route": "\(recorded)", "error": "\(error)",
                ])
            }
        }
        let wanted = Self.wantedFinalizers(route: route != nil || recorded != nil, rollout: rollout)
        if wanted != Self.presentFinalizers(rollout) {
            try await setFinalizers(wanted, on: rollout)
            return .requeue(after: .milliseconds(50))
        }
        var routeObservation: RouteObservation?
        var routeLastWritten: Int?
        if let target = PlanApplier.routeTarget(route, rollout: rollout) {
            routeLastWritten = applier.lastWrite(to: target)
            if let router = applier.routers.router(for: target.route.kind) {
                routeObservation = try await router.read(target)
            } else {
                routeObservation = .unusable("this controller has no \(target.route.kind.rawValue) router")
            }
        }
        let owned: (String) -> Bool = { name in
            services(namespace, name)?.metadata.ownerReferences?.contains { $0.uid == uid } ?? false
        }
        let serviceNames = [FledgeNames.service(key.name), FledgeNames.stableService(key.name), FledgeNames.canaryService(key.name)]
        var input = PlanInput(
            rollout: rollout, defaults: defaults,
            stable: stable.map { DeploymentObservation($0, rolloutUID: uid) },
            canary: canary.map { DeploymentObservation($0, rolloutUID: uid) },
            services: Set(serviceNames.filter { services(namespace, $0) != nil && owned($0) }),
            route: routeObservation, now: now())
        input.routeLastWritten = routeLastWritten
        if let workloadName {
            input.workload = try await observeWorkload(workloadName, cached: cachedWorkload, namespace: namespace)
        }
        // Upgrade path: a status without the stable template gets it from the stable Deployment, read from the API
        // as it is (the cache keeps only the typed fields, which would lose probes, affinity and the like), once.
        if let hash = rollout.status?.stableTemplateHash, !(rollout.status?.stableTemplates ?? []).contains(where: { $0.hash == hash }),
           stable?.metadata.annotations?[FledgeNames.templateHashAnnotation] == hash {
            let raw: DynamicObject? = try? await applier.client.get(.deployments, name: stableName, namespace: namespace)
            if raw?.json[path: ["metadata", "annotations", FledgeNames.templateHashAnnotation]]?.stringValue == hash {
                input.stable?.podTemplate = raw?.json[path: ["spec", "template"]]
            }
        }
        var plan = RolloutPlanner.plan(input)
        if try await readUncachedTargets(of: plan, into: &input, namespace: namespace, uid: uid) {
            plan = RolloutPlanner.plan(input)
        }
        let effective = plan.effective
        if let request = plan.interval, let effective {
            let result = await runner.run(request, rollout: rollout, effective: effective)
            if result.observedInterval { metrics.decision(result.decision.outcome) }
            input.interval = result
            input.now = now()
            plan = RolloutPlanner.plan(input)
            if plan.interval != nil {
                // The planner wants yet another step at once: take it on the next pass.
                plan.wake(after: .milliseconds(200))
            }
        }
        if workloadName != nil, input.workload == nil {
            // Nothing watches a Deployment that does not exist yet: look again for it.
            plan.wake(after: .seconds(15))
        }
        if keepRecorded {
            plan.status.trafficRoute = rollout.status?.trafficRoute
            plan.wake(after: .seconds(10))
        }
        if try await cacheIsBehind(for: plan, input, namespace: namespace) { return .requeue(after: .milliseconds(200)) }
        let report = try await applier.apply(plan, rollout: rollout, effective: effective, observed: input, now: input.now)
        metrics.rollout(namespace: namespace, name: key.name, status: plan.status)
        if report.deploymentWrites + report.serviceCreates > 0 || report.statusWritten {
            logger.info("reconciled", metadata: [
                "rollout": "\(key)", "phase": "\(plan.status.phase?.rawValue ?? "")", "step": "\(plan.status.currentStepIndex ?? 0)",
                "weight": "\(plan.status.canaryWeight ?? 0)", "deploymentWrites": "\(report.deploymentWrites)",
                "message": "\(plan.status.message ?? "")",
            ])
        }
        return plan.requeueAfter.map { .requeue(after: $0) } ?? .done
    }
}

/// A Rollout whose status this controller cannot read (a newer controller wrote it, or someone edited it badly).
public struct UnreadableStatus: Error, CustomStringConvertible, Sendable {
    public var rollout: String
    public var reason: String
    public var description: String { "the status of Rollout \(rollout) cannot be read (\(reason)); not acting on it" }
}

extension RolloutReconciler {
    /// The Deployment `spec.workloadRef` names: from the cache once it carries Fledge's label, else read from the
    /// API server (nil: it does not exist).
    func observeWorkload(_ name: String, cached: Deployment?, namespace: String) async throws -> WorkloadObservation? {
        if let cached { return WorkloadObservation(cached) }
        do {
            let fetched = try await applier.client.get(Deployment.self, name: name, namespace: namespace)
            return WorkloadObservation(fetched)
        } catch KubeError.notFound {
            return nil
        }
    }
}
