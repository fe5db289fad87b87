import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Synchronization

/// The objects this process has read from the API server since it began to lead (one process leads once: a lost
/// Lease ends it), keyed like ``PlanApplier/key(_:_:_:)``.
final class FreshReads: Sendable {
    private let confirmed = Mutex<Set<String>>([])

    func isConfirmed(_ key: String) -> Bool { confirmed.withLock { $0.contains(key) } }
    func confirm(_ key: String) { confirmed.withLock { _ = $0.insert(key) } }

    /// A Rollout is gone: its objects leave the memory (a Rollout created again under the name is read afresh).
    func forget(namespace: String, rollout: String) {
        let keys = [PlanApplier.key("rollouts", namespace, rollout),
                     PlanApplier.key("deployments", namespace, FledgeNames.stableDeployment(rollout)),
                     PlanApplier.key("deployments", namespace, FledgeNames.canaryDeployment(rollout))]
        confirmed.withLock { $0.subtract(keys) }
    }
}

extension RolloutReconciler {
    /// Never take over what is not ours. The caches hold only objects with Fledge's label, so an object the plan
    /// would write that the cache lacks may still exist (a Deployment or Service someone else made under the same
    /// name): it is read from the API server first, and one not controlled by this Rollout goes into the input
    /// (the planner then stops with ResourceConflict, writing nothing). Only objects the plan writes and the
    /// cache lacks are read: once per object on a first deploy, never in steady state. True when the input changed.
    func readUncachedTargets(of plan: Plan, into input: inout PlanInput, namespace: String, uid: String?) async throws -> Bool {
        var changed = false
        // Only an apply can create (a scale of a Deployment the cache lacks writes nothing), so only an apply's
        // target is read: an invalid spec or a Rollout without a canary yet plans "canary to 0" at every pass.
        for intent in plan.deployments where intent.run != nil {
            let cached = intent.track == .stable ? input.stable : input.canary
            guard cached == nil else { continue }
            let name = intent.track == .stable ? FledgeNames.stableDeployment(input.rollout.metadata.name ?? "")
                : FledgeNames.canaryDeployment(input.rollout.metadata.name ?? "")
            let live: Deployment
            do {
                live = try await applier.client.get(Deployment.self, name: name, namespace: namespace)
            } catch KubeError.notFound {
                continue
            }
            let observed = DeploymentObservation(live, rolloutUID: uid)
            guard !observed.ownedByRollout else { continue }  // ours without the label: the apply puts it back
            if intent.track == .stable { input.stable = observed } else { input.canary = observed }
            changed = true
        }
        for intent in plan.services {
            let live: Kube.Service
            do {
                live = try await applier.client.get(Kube.Service.self, name: intent.name, namespace: namespace)
            } catch KubeError.notFound {
                continue
            }
            if !(live.metadata.ownerReferences ?? []).contains(where: { $0.uid == uid && $0.controller == true }) {
                input.unownedServices.append(intent.name)
                changed = true
            }
        }
        return changed
    }

    /// A new leader's caches may lag behind what the previous leader wrote; a plan made from them could move
    /// replicas or the route back a step. So before this process's first write that moves traffic or replicas for
    /// a Rollout, the Rollout and the Deployments the plan writes are read from the API server: if any is newer
    /// than the cache, nothing is written and the Rollout is tried again once the watch has caught up. Each object
    /// is read once per leadership (never in steady state: a plan that writes nothing reads nothing). The
    /// resourceVersion preconditions on the writes fence the rest. True when the cache is behind.
    func cacheIsBehind(for plan: Plan, _ input: PlanInput, namespace: String) async throws -> Bool {
        let rollout = input.rollout, name = rollout.metadata.name ?? ""
        var reads: [(key: String, cached: String, read: @Sendable () async throws -> String?)] = []
        for intent in plan.deployments {
            guard let observed = intent.track == .stable ? input.stable : input.canary, observed.ownedByRollout else { continue }
            let changes = intent.run.map { $0.hash != observed.templateHash } ?? false || observed.specReplicas != intent.replicas
            guard changes else { continue }
            let deployment = intent.track == .stable ? FledgeNames.stableDeployment(name) : FledgeNames.canaryDeployment(name)
            reads.append((PlanApplier.key("deployments", namespace, deployment), observed.resourceVersion, { [client = applier.client] in
                let live: DynamicObject = try await client.get(.deployments, name: deployment, namespace: namespace)
                return live.resourceVersion
            }))
        }
        let routeMoves = plan.routeWeight.map { weight in input.route?.weights.map { !$0.isAt(weight) } ?? false } ?? false
        guard !reads.isEmpty || routeMoves else { return false }
        reads.insert((PlanApplier.key("rollouts", namespace, name), rollout.metadata.resourceVersion ?? "", { [client = applier.client] in
            let live: DynamicObject = try await client.get(.rollouts, name: name, namespace: namespace)
            return live.resourceVersion
        }), at: 0)
        for read in reads where !freshReads.isConfirmed(read.key) {
            let live: String?
            do {
                live = try await read.read()
            } catch KubeError.notFound {
                continue  // gone: the write's precondition or the next watch event settles it
            }
            if let live, live != read.cached {
                logger.info("cache behind the API server before this leader's first write; waiting for the watch",
                            metadata: ["object": "\(read.key)", "cached": "\(read.cached)", "live": "\(live)"])
                return true
            }
            freshReads.confirm(read.key)
        }
        return false
    }
}
