import CanaryAnalysisTesting
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// `spec.workloadRef` in the planner: the referenced Deployment's template is the Rollout's, and the Deployment is
/// scaled down only as the Rollout's pods become available — by policy, never below capacity.
struct PlannerWorkloadTests {
    static func rollout(scaleDown: String?, replicas: Int? = nil, status: RolloutStatus? = nil) -> Rollout {
        var r = makeRollout(replicas: 1, status: status)
        r.spec?.template = nil
        r.spec?.selector = nil
        r.spec?.replicas = replicas
        r.spec?.workloadRef = WorkloadRef(name: "web", scaleDown: scaleDown)
        return r
    }

    static func web(tag: String = "1.0.0", replicas: Int, available: Int? = nil, by rollout: String? = Fixture.name) -> WorkloadObservation {
        WorkloadObservation(name: "web", podTemplate: podTemplate(tag: tag), selector: LabelSelector(matchLabels: ["app": "shop"]),
                            specReplicas: replicas, availableReplicas: available ?? replicas, resourceVersion: "7", referencedBy: rollout)
    }

    static func plan(_ rollout: Rollout, web: WorkloadObservation?, stableAvailable: Int?, services: Set<String> = [],
                     unowned: [String] = []) -> Plan {
        var input = PlanInput(rollout: rollout, stable: stableAvailable.map { observed(.stable, hash: hash("1.0.0"), replicas: 3, available: $0) },
                              services: services, now: at(0))
        input.workload = web
        input.unownedServices = unowned
        return RolloutPlanner.plan(input)
    }

    @Test func progressivelyLowersTheDeploymentAsStablePodsBecomeAvailable() {
        let first = Self.plan(Self.rollout(scaleDown: "progressively"), web: Self.web(replicas: 3, by: nil), stableAvailable: nil)
        #expect(first.intent(.stable)?.replicas == 3, "the Rollout's size is the Deployment's")
        #expect(first.intent(.stable)?.run?.hash == hash("1.0.0"), "it runs the Deployment's template")
        #expect(first.workload == WorkloadIntent(name: "web", replicas: 3), "labelled, not yet scaled")
        #expect(first.status.workload == WorkloadStatus(name: "web", replicas: 3))
        #expect(first.reasons.contains("WorkloadReferenced"))
        let recorded = first.status
        for (available, expected) in [(0, 3), (1, 2), (2, 1), (3, 0)] {
            let plan = Self.plan(Self.rollout(scaleDown: "progressively", status: recorded), web: Self.web(replicas: 3), stableAvailable: available)
            #expect(plan.workload?.replicas == expected, "stable \(available) available")
            #expect(plan.status.workload?.scaledDown == (expected == 0 ? true : nil))
        }
        // Never raised: stable lost a pod after the Deployment went to 1.
        let lower = Self.plan(Self.rollout(scaleDown: "progressively", status: recorded), web: Self.web(replicas: 1), stableAvailable: 1)
        #expect(lower.workload?.replicas == 1)
        // Scaled to 0, the recorded size is still the Rollout's.
        let done = Self.plan(Self.rollout(scaleDown: "progressively", status: recorded), web: Self.web(replicas: 0), stableAvailable: 3)
        #expect(done.intent(.stable)?.replicas == 3)
        #expect(done.workload?.replicas == 0)
        #expect(done.status.phase == .healthy)
    }

    @Test func onsuccessWaitsForEveryPodNeverLeavesItAlone() {
        let recorded = RolloutStatus()
        let waiting = Self.plan(Self.rollout(scaleDown: "onsuccess", status: recorded), web: Self.web(replicas: 3), stableAvailable: 2)
        #expect(waiting.workload == WorkloadIntent(name: "web", replicas: nil))
        #expect(waiting.status.message?.contains("Deployment web keeps its 3 pods") == true, "\(waiting.status.message ?? "")")
        let done = Self.plan(Self.rollout(scaleDown: "onsuccess", status: recorded), web: Self.web(replicas: 3), stableAvailable: 3)
        #expect(done.workload?.replicas == 0)
        #expect(done.reasons.contains("WorkloadScaledDown"))
        let never = Self.plan(Self.rollout(scaleDown: nil, status: recorded), web: Self.web(replicas: 3), stableAvailable: 3)
        #expect(never.workload == WorkloadIntent(name: "web", replicas: nil))
    }

    @Test func aNewTemplateOnTheDeploymentIsACanary() {
        var status = Self.plan(Self.rollout(scaleDown: "progressively"), web: Self.web(replicas: 3, by: nil), stableAvailable: nil).status
        status = Self.plan(Self.rollout(scaleDown: "progressively", status: status), web: Self.web(replicas: 0), stableAvailable: 3).status
        #expect(status.phase == .healthy)
        let canary = Self.plan(Self.rollout(scaleDown: "progressively", status: status), web: Self.web(tag: "2.0.0", replicas: 0), stableAvailable: 3)
        #expect(canary.status.canaryTemplateHash == hash("2.0.0"))
        #expect(canary.status.canaryVersion == "2.0.0")
        #expect(canary.intent(.canary)?.run?.hash == hash("2.0.0"))
        #expect(canary.workload?.replicas == 0, "the Deployment stays at 0")
    }

    @Test func aDeploymentAnotherRolloutRunsIsAConflict() {
        let plan = Self.plan(Self.rollout(scaleDown: "progressively"), web: Self.web(replicas: 3, by: "other"), stableAvailable: nil)
        #expect(plan.status.condition(.progressing)?.reason == "ResourceConflict")
        #expect(plan.status.message?.contains("already run by Rollout other") == true)
        #expect(plan.deployments.isEmpty && plan.workload == nil)
    }

    @Test func aMissingDeploymentIsAnInvalidSpecThatTouchesNothing() {
        let plan = Self.plan(Self.rollout(scaleDown: "progressively"), web: nil, stableAvailable: 3)
        #expect(plan.status.condition(.invalidSpec)?.message?.contains("Deployment web not found") == true)
        #expect(plan.deployments.isEmpty && plan.workload == nil)
    }

    @Test func theUsersOwnServiceIsUsedNotCreated() {
        let plan = Self.plan(Self.rollout(scaleDown: "progressively"), web: Self.web(replicas: 3), stableAvailable: nil, unowned: [Fixture.name])
        #expect(plan.status.condition(.progressing)?.reason != "ResourceConflict")
        #expect(Set(plan.services.map(\.name)) == [FledgeNames.stableService(Fixture.name), FledgeNames.canaryService(Fixture.name)])
        // Without workloadRef the same Service is a conflict.
        var input = PlanInput(rollout: makeRollout(), now: at(0))
        input.unownedServices = [Fixture.name]
        #expect(RolloutPlanner.plan(input).status.condition(.progressing)?.reason == "ResourceConflict")
    }

    /// The capacity invariant under random timing: pods come up one by one at random moments, reconciles happen at
    /// random moments, a scale-down takes pods away at once; after every change the old Deployment's available
    /// pods plus the Rollout's are at least the replicas.
    @Test(arguments: 0..<40) func progressiveMigrationNeverDropsBelowCapacity(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let replicas = Int(random.next() % 6) + 1
        var rollout = Self.rollout(scaleDown: random.next() % 2 == 0 ? "progressively" : "onsuccess")
        var web = Self.web(replicas: replicas, by: nil)
        var stable: DeploymentObservation?
        for tick in 0..<200 {
            if random.next() % 2 == 0 {
                var input = PlanInput(rollout: rollout, stable: stable, now: at(Double(tick)))
                input.workload = web
                let plan = RolloutPlanner.plan(input)
                rollout.status = plan.status
                if let intent = plan.intent(.stable) {
                    var d = stable ?? observed(.stable, hash: intent.run?.hash, replicas: 0, available: 0)
                    d.specReplicas = intent.replicas
                    d.availableReplicas = min(d.availableReplicas, intent.replicas)
                    stable = d
                }
                if let intent = plan.workload {
                    web.referencedBy = Fixture.name
                    if let n = intent.replicas {
                        web.specReplicas = n
                        web.availableReplicas = min(web.availableReplicas, n)
                    }
                }
            } else if var d = stable, d.availableReplicas < d.specReplicas {
                d.availableReplicas += 1
                d.updatedReplicas = d.availableReplicas
                d.readyReplicas = d.availableReplicas
                stable = d
            }
            let serving = web.availableReplicas + (stable?.availableReplicas ?? 0)
            #expect(serving >= replicas, "seed \(seed), tick \(tick): \(serving) of \(replicas) available")
            if serving < replicas { return }
        }
        #expect(web.specReplicas == 0, "seed \(seed): the migration finished")
    }
}
