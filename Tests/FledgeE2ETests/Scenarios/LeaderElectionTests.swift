import Foundation
import KubeJSON
import Testing

/// Two controller processes sharing one API server: one leads through the Lease, the other waits with a warm
/// cache and takes over when the leader stops.
@Suite("E2E: leader election")
struct LeaderElectionTests {
    @Test("two controller processes: both Ready, only the Lease holder acts; killed, the other takes over and finishes")
    func handover() async throws {
        try await Scenario.run("leader", startController: false) { s in
            let first = try await ControllerProcess.start(environment: s.environment, namespace: s.namespace,
                                                          prometheusAddress: s.prometheusAddress, leaderElection: true,
                                                          name: "controller-a-\(s.namespace)")
            let holder = try await waitFor("a Lease holder", timeout: .seconds(30)) { () -> String? in
                let lease = try await s.kubectl.getJSON(["lease", "fledge-controller", "-n", s.namespace])
                return lease?.string("spec.holderIdentity").flatMap { $0.isEmpty ? nil : $0 }
            }
            let second = try await ControllerProcess.start(environment: s.environment, namespace: s.namespace,
                                                           prometheusAddress: s.prometheusAddress, leaderElection: true,
                                                           name: "controller-b-\(s.namespace)")
            do {
                try await handover(s, first: first, second: second, holder: holder)
            } catch {
                await second.stop()
                await first.stop()
                throw error
            }
            await second.stop()
            await first.stop()
        }
    }

    func handover(_ s: Scenario, first: ControllerProcess, second: ControllerProcess, holder: String) async throws {
        do {
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(25), .pause(), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "held at the pause step") { r in r.string("status.phase") == "Paused" }

            // Still the first holder: the second process did not take the Lease while the first renewed it.
            let lease = try await s.kubectl.getJSON(["lease", "fledge-controller", "-n", s.namespace])
            #expect(lease?.string("spec.holderIdentity") == holder)

            // Both replicas are Ready (a follower is a warm standby: a rolling upgrade of the controller must not
            // wait on a pod that cannot lead), and /readyz says which one leads.
            let leaderReady = try await ready(first, "leader")
            let followerReady = try await ready(second, "follower")
            #expect(leaderReady.contains("leader (\(holder))"), "\(leaderReady)")
            #expect(followerReady.contains("leader: \(holder)"), "\(followerReady)")

            // The leader is killed (SIGKILL: no release): the follower takes the Lease once it expires.
            await first.kill9()
            let next = try await waitFor("a new Lease holder", timeout: .seconds(45)) { () -> String? in
                let lease = try await s.kubectl.getJSON(["lease", "fledge-controller", "-n", s.namespace])
                let now = lease?.string("spec.holderIdentity") ?? ""
                return now.isEmpty || now == holder ? nil : now
            }
            #expect(next != holder)
            #expect(second.isRunning)
            let promoted = try await ready(second, "leader")
            #expect(promoted.contains("leader (\(next))"), "\(promoted)")

            // The new leader acts: the promote is carried out and the rollout finishes.
            try await s.action("shop", "promote:after-handover")
            let done = try await s.waitForHealthy("shop", stableVersion: "2.0.0")
            #expect(done.string("status.lastAction.id") == "after-handover")
            // The controllers acted as their service account, through the shipped RBAC (not as an administrator).
            let authorized = try await s.environment.authorizedRequests()
            for request in ["patch rollouts/status", "patch deployments", "update leases", "watch rollouts"] {
                #expect(authorized.contains(request), "authorized as fledge-controller: \(authorized.sorted())")
            }
        }
    }

    /// Waits for `/readyz` to answer 200 with `leader-election: <role>`; returns the body.
    func ready(_ controller: ControllerProcess, _ role: String) async throws -> String {
        try await waitFor("\(controller.name) Ready as \(role)", timeout: .seconds(30)) { () -> String? in
            guard let response = try? await HTTP.request("\(controller.endpoint)/readyz", timeout: .seconds(2)),
                  response.status == 200, response.body.contains("leader-election: \(role)") else { return nil }
            return response.body
        }
    }
}
