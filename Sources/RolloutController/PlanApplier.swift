import Foundation
import Kube
import KubeJSON
import KubeRuntime
import Logging
import RolloutAPI
import Synchronization

/// Makes a plan real: owned Deployments by server-side apply (or a scale-only patch), missing Services, Events,
/// then one status patch. Nothing is sent for what already matches, so applying the same plan twice sends
/// nothing the second time.
///
/// Fenced twice. Before every write the leadership ``term`` is checked (a leader whose renew is overdue sends
/// nothing). And every write that moves traffic or replicas carries a precondition the API server enforces: the
/// resourceVersion the plan was made from (in the apply configuration, the scale patch and the status patch; the
/// routers test it in their JSON patch). A write planned from a stale cache, or sent by a deposed leader after
/// the new one changed the object, is refused with 409 and nothing moves.
public struct PlanApplier: Sendable {
    /// What its requests need: owned Deployments applied or scaled (PATCH, which also creates), Services
    /// created, the status patched, Events created. Owned objects carry `blockOwnerDeletion`, which the
    /// OwnerReferencesPermissionEnforcement admission plugin allows only with update on the owner's finalizers.
    public static let apiAccess: [APIAccess] = [
        APIAccess(.deployments, ["patch"]),
        APIAccess(.services, ["create"]),
        APIAccess(.rollouts, subresource: "status", ["patch"]),
        APIAccess(.rollouts, subresource: "finalizers", ["update"]),
        APIAccess(.events, ["create"]),
    ]

    public let client: KubeClient
    public let fieldManager: String
    /// Told of every write, so the reconciler can wait for the cache to see it.
    public let writes: StaleCacheGuard
    /// The routers that set weights on routes, by kind.
    public let routers: TrafficRouterRegistry
    /// Until when this process may write: checked before every write.
    public let term: LeadershipTerm
    private let routeWrites = RouteWriteMemory()
    let logger: Logger

    public init(client: KubeClient, fieldManager: String = FledgeNames.fieldManager, writes: StaleCacheGuard = StaleCacheGuard(),
                routers: TrafficRouterRegistry = TrafficRouterRegistry(), term: LeadershipTerm = .unbounded(), logger: Logger) {
        self.client = client
        self.term = term
        self.fieldManager = fieldManager
        self.writes = writes
        self.routers = routers
        self.logger = logger
    }

    /// The weight this controller last wrote to a route (for telling its own writes from someone else's edits).
    public func lastWrite(to target: RouteTarget) -> Int? { routeWrites.weights.withLock { $0[Self.routeKey(target)] } }

    /// Forgets the weights written for a Rollout that is gone.
    public func forgetRouteWrites(namespace: String, rollout: String) {
        routeWrites.weights.withLock { w in w = w.filter { !$0.key.hasPrefix("\(namespace)/\(rollout)/") } }
    }

    static func routeKey(_ target: RouteTarget) -> String { "\(target.namespace)/\(target.rollout)/\(target.route)" }

    /// What the router for `rollout` works on (nil without a router).
    public static func routeTarget(_ route: RouteReference?, rollout: Rollout) -> RouteTarget? {
        guard let route else { return nil }
        let owner = OwnerReference(apiVersion: Rollout.descriptor.apiVersion, kind: "Rollout", name: rollout.metadata.name ?? "",
                                   uid: rollout.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        return RouteTarget(route: route, rollout: rollout.metadata.name ?? "", namespace: rollout.metadata.namespace ?? "default", owner: owner)
    }

    static func key(_ kind: String, _ namespace: String, _ name: String) -> String { "\(kind)/\(namespace)/\(name)" }

    /// What the applier sent, for logs and tests.
    public struct Report: Sendable, Equatable {
        public var deploymentWrites = 0
        public var serviceCreates = 0
        public var routeWrites = 0
        public var events = 0
        public var statusWritten = false
    }

    public func apply(_ plan: Plan, rollout: Rollout, effective: EffectiveRollout?, observed input: PlanInput,
                      now: Date) async throws -> Report {
        var report = Report()
        var status = plan.status
        var events = plan.events
        var routeFailure: RouteWriteFailed?
        let namespace = rollout.metadata.namespace ?? "default"
        let name = rollout.metadata.name ?? ""
        // The route the plan sets: the spec's (when the spec is invalid, as far as its routing can be read).
        var ignored: [FieldError] = []
        let route = effective?.routing.route
            ?? RolloutResolver.routing(rollout.spec?.strategy?.canary?.trafficRouting, namespace: namespace,
                                       crossNamespace: input.defaults.crossNamespaceRoutes, &ignored).route
        // The route first: the planner moved it only where the Deployments observed allow.
        if let weight = plan.routeWeight, let current = input.route?.weights, !current.isAt(weight),
           let target = Self.routeTarget(route, rollout: rollout), let router = routers.router(for: target.route.kind) {
            try term.check()
            let written = try await router.setWeight(weight, on: target)
            report.routeWrites += 1
            if written.problem == nil { routeWrites.weights.withLock { $0[Self.routeKey(target)] = weight } }
            if let problem = written.problem {
                // The write was refused (no permission, the route went away or changed shape): say so in status
                // and once as an Event, then fail the reconcile so the work queue backs off before trying again.
                let message = "could not set \(target.route) to \(weight)% for the canary: \(problem)"
                var conditions = StatusConditions(conditions: status.conditions ?? [], now: now, generation: status.observedGeneration)
                let before = rollout.status?.condition(.trafficRouted)
                if let before, before.reason == "RouteWriteFailed", before.message == message {
                    // The same refusal again: the status stays exactly as written last time (no write, no
                    // watch event), so the work queue's backoff, not the status watch, paces the retries.
                    if let i = conditions.conditions.firstIndex(where: { $0.type == before.type }) {
                        conditions.conditions[i] = before
                    } else {
                        conditions.conditions.append(before)
                    }
                    status.canary?.progressSince = rollout.status?.canary?.progressSince
                } else {
                    conditions.set(.trafficRouted, false, reason: "RouteWriteFailed", message: message)
                }
                status.conditions = conditions.conditions
                status.actualCanaryWeight = current.ranges.isEmpty ? nil : Double(current.highest)
                if rollout.status?.condition(.trafficRouted)?.message != message {
                    events.append(PlannedEvent(.warning, "TrafficRoutingFailed", message))
                }
                routeFailure = RouteWriteFailed(message: message)
            } else {
                // The weight as the route holds it after the write (it may have gone in between).
                status.actualCanaryWeight = written.canaryShare.map(Double.init)
            }
        }
        // Owned objects. A write the API server refuses (403, an admission webhook, quota) is a condition and one
        // Warning Event per new problem; the status is still written, then the reconcile fails so the queue backs off.
        var refused: [String] = []
        for intent in plan.deployments {
            try term.check()
            do {
                if try await write(intent, rollout: rollout, effective: effective, observed: input) { report.deploymentWrites += 1 }
            } catch let error as KubeError where !error.isRetryable && !Self.isConflict(error) {
                refused.append("could not write Deployment \(intent.track == .stable ? FledgeNames.stableDeployment(name) : FledgeNames.canaryDeployment(name)): \(error.message ?? "\(error)")")
            }
        }
        if let intent = plan.workload, let observed = input.workload {
            do {
                if try await write(intent, observed: observed, rollout: rollout) { report.deploymentWrites += 1 }
            } catch let error as KubeError where !error.isRetryable && !Self.isConflict(error) {
                refused.append("could not write Deployment \(intent.name): \(error.message ?? "\(error)")")
            }
        }
        if let e = effective {
            for intent in plan.services {
                try term.check()
                do {
                    let _: DynamicObject = try await client.create(
                        .services, DynamicObject(OwnedObjects.service(intent, rollout: rollout, effective: e)),
                        namespace: namespace, options: WriteOptions(fieldManager: fieldManager))
                    report.serviceCreates += 1
                } catch KubeError.alreadyExists {
                    continue
                } catch let error as KubeError where !error.isRetryable && !Self.isConflict(error) {
                    refused.append("could not create Service \(intent.name): \(error.message ?? "\(error)")")
                }
            }
        }
        reportWrites(refused, into: &status, events: &events, rollout: rollout, now: now)
        // The status as read (the cache keeps no original JSON: it is the typed status, encoded). A cached Rollout
        // whose typed status is the plan's has nothing to write: nothing is encoded to find that out.
        let unchanged = rollout.originalJSON == nil && rollout.status == status
        let before: JSONValue = try unchanged ? .null
            : rollout.originalJSON?["status"] ?? rollout.status.map { try JSONValue(encoding: $0) } ?? .object([:])
        let after: JSONValue = try unchanged ? .null : JSONValue(encoding: status)
        if before != after {
            let diff = before.mergePatch(to: after)
            let patch: JSONValue = ["metadata": ["resourceVersion": .string(rollout.metadata.resourceVersion ?? "")], "status": diff]
            try term.check()
            let written: DynamicObject = try await client.patch(
                .rollouts, name: name, namespace: namespace, .merge(patch), subresource: "status",
                options: WriteOptions(fieldManager: fieldManager))
            remember("rollouts", namespace, name, rollout.metadata.resourceVersion ?? "", written)
            report.statusWritten = true
        }
        // Events only once the status that explains them is written: a stale pass that fails its status write
        // (409) records nothing.
        for event in events {
            await record(event, rollout: rollout, now: now)
            report.events += 1
        }
        if let routeFailure { throw routeFailure }
        if !refused.isEmpty { throw WritesRefused(messages: refused) }
        return report
    }

    static func isConflict(_ error: KubeError) -> Bool {
        if case .conflict = error { return true }
        return false
    }

    /// Writes one owned Deployment if it differs from what is observed: the template by server-side apply, or only
    /// the replicas. True when something was sent.
    func write(_ intent: DeploymentIntent, rollout: Rollout, effective: EffectiveRollout?, observed input: PlanInput) async throws -> Bool {
        let namespace = rollout.metadata.namespace ?? "default", name = rollout.metadata.name ?? ""
        let observed = intent.track == .stable ? input.stable : input.canary
        let deploymentName = intent.track == .stable ? FledgeNames.stableDeployment(name) : FledgeNames.canaryDeployment(name)
        if let template = intent.run {
            guard let e = effective else { return false }
            if let o = observed, o.templateHash == template.hash, o.specReplicas == intent.replicas { return false }
            var body = OwnedObjects.deployment(intent, template: template, rollout: rollout, effective: e)
            // The version the plan was made from is a precondition the server enforces (an apply configuration
            // may carry one): a stale cache or a deposed leader gets 409, never a step back.
            if let o = observed, !o.resourceVersion.isEmpty { body[path: ["metadata", "resourceVersion"]] = .string(o.resourceVersion) }
            let written: DynamicObject = try await client.patch(
                .deployments, name: deploymentName, namespace: namespace, .apply(body),
                options: WriteOptions(fieldManager: fieldManager, force: true))
            if let o = observed { remember("deployments", namespace, deploymentName, o.resourceVersion, written) }
        } else {
            guard let o = observed, o.specReplicas != intent.replicas else { return false }
            let written: DynamicObject = try await client.patch(
                .deployments, name: deploymentName, namespace: namespace,
                .merge(["metadata": ["resourceVersion": .string(o.resourceVersion)], "spec": ["replicas": .number(Double(intent.replicas))]]),
                options: WriteOptions(fieldManager: fieldManager))
            remember("deployments", namespace, deploymentName, o.resourceVersion, written)
        }
        return true
    }

    /// WritesAccepted: False with the server's words while writes are refused (one Event per new problem), True
    /// again once they go through.
    func reportWrites(_ refused: [String], into status: inout RolloutStatus, events: inout [PlannedEvent], rollout: Rollout, now: Date) {
        var conditions = StatusConditions(conditions: status.conditions ?? [], now: now, generation: status.observedGeneration)
        let before = rollout.status?.condition(.writesAccepted)
        if refused.isEmpty {
            guard before?.status == "False" else { return }
            conditions.set(.writesAccepted, true, reason: "WritesAccepted", message: "the owned Deployments and Services are written")
        } else {
            let message = refused.joined(separator: "; ")
            conditions.set(.writesAccepted, false, reason: "WriteRefused", message: message)
            if before?.status != "False" || before?.message != message {
                events.append(PlannedEvent(.warning, "WriteRefused", message))
            }
        }
        status.conditions = conditions.conditions
    }

    /// Tells the stale-cache guard about a write that changed the object (a write the server found to change
    /// nothing keeps its version, and the cache is not stale).
    func remember(_ kind: String, _ namespace: String, _ name: String, _ before: String, _ written: DynamicObject) {
        if let after = written.resourceVersion, after != before {
            writes.wrote(Self.key(kind, namespace, name), replacing: before)
        }
    }

    /// Records an Event on the Rollout. A failure to record is logged, never fatal.
    func record(_ event: PlannedEvent, rollout: Rollout, now: Date) async {
        guard (try? term.check()) != nil else { return }
        let namespace = rollout.metadata.namespace ?? "default"
        let time = Timestamps.seconds(now)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let body: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(rollout.metadata.name ?? "rollout").\(suffix)"), "namespace": .string(namespace)],
            "involvedObject": [
                "apiVersion": .string(Rollout.descriptor.apiVersion), "kind": "Rollout",
                "name": .string(rollout.metadata.name ?? ""), "namespace": .string(namespace),
                "uid": .string(rollout.metadata.uid ?? ""), "resourceVersion": .string(rollout.metadata.resourceVersion ?? ""),
            ],
            "reason": .string(event.reason), "message": .string(String(event.message.prefix(1024))),
            "type": .string(event.kind.rawValue), "source": ["component": .string(fieldManager)],
            "reportingComponent": .string(fieldManager), "firstTimestamp": .string(time), "lastTimestamp": .string(time), "count": 1,
        ]
        do {
            let _: DynamicObject = try await client.create(.events, DynamicObject(body), namespace: namespace)
        } catch {
            logger.warning("could not record an event", metadata: ["reason": "\(event.reason)", "error": "\(error)"])
        }
    }
}

/// A route's weights could not be written; the status and an Event say why, and the reconcile is retried with backoff.
public struct RouteWriteFailed: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Writes to owned Deployments or Services were refused; the status (WritesAccepted=False) and an Event say why, and
/// the reconcile is retried with backoff.
public struct WritesRefused: Error, Sendable, CustomStringConvertible {
    public var messages: [String]
    public var description: String { messages.joined(separator: "; ") }
}

/// The weight last written to each route by this process.
final class RouteWriteMemory: Sendable {
    let weights = Mutex<[String: Int]>([:])
}
