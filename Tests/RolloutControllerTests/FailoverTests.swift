import Foundation
import Kube
import KubeJSON
import KubeRuntime
import Logging
import RolloutAPI
import RolloutController
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// Failover is safe by construction: two controller "processes" under leader election against the emulator, one of
/// them partitioned from the API server (every request held up far past the renew deadline) or the whole Lease API
/// made slow. At no instant do two processes write: in the order the server applied them, once the second
/// process's first write went through, no write of the first is accepted again.
@Suite(.timeLimit(.minutes(3)))
struct FailoverTests {
    /// Short Lease durations so the test runs in seconds: 3 s lease, 2 s renew deadline, retry every 0.5 s.
    static let timing = (lease: Duration.seconds(3), renew: Duration.seconds(2), retry: Duration.milliseconds(500))

    @Test func aPartitionedLeaderStopsBeforeTheFollowerTakesOverAndNoneOfItsLateWritesLand() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
          try await ElectedController.pair(cluster) { a, b in
            let steps: [RolloutStep] = [.weight(25), .analysis("2s"), .weight(50), .analysis("2s"), .weight(75), .analysis("2s"), .weight(100)]
            try await cluster.create(clusterRollout(steps: steps))
            try await cluster.waitFor("first deploy healthy", timeout: .seconds(30)) { $0.phase == .healthy }
            try await cluster.setTemplate(tag: "2.0.0")
            try await cluster.waitFor("the canary under way", timeout: .seconds(30)) { ($0.currentStepIndex ?? 0) >= 1 }
            #expect(!b.elector.isLeader)

            // a is cut off: everything it sends is held up 6 s, past the renew deadline (2 s) and the lease (3 s), but
            // within its client's own 10 s timeout: a write a sends now would land in b's term unless a stops
            // writing when its term ends and gives up on what it sent before a follower can take over.
            try await cluster.client.injectEmulatorLatency(userAgent: a.userAgent, milliseconds: 6_000)
            try await eventually("b takes over", timeout: .seconds(30)) { b.elector.isLeader }
            let lost = try await a.outcome(within: .seconds(30))
            #expect(lost is LeadershipLost, "a gives up leadership by itself: \(lost)")
            #expect((try? a.elector.term.check()) == nil, "a's term has ended")
            try await cluster.waitFor("2.0.0 promoted by b", timeout: .seconds(60)) { $0.phase == .healthy && $0.stableVersion == "2.0.0" }

            let log = try await cluster.requestLog()
            try expectOneWriterAtATime(log, first: a.userAgent, second: b.userAgent)
            #expect(log.contains { ($0["userAgent"]?.stringValue ?? "").contains(b.userAgent) && Self.isWrite($0) && Self.accepted($0) },
                    "b wrote")
          }
        }
    }

    @Test func aLeaderWhoseLeaseCallsAreSlowerThanTheRenewDeadlineStopsWritingBeforeTheFollowerTakesOver() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
          try await ElectedController.pair(cluster) { a, b in
            try await cluster.create(clusterRollout(steps: [.weight(25), .analysis("3s"), .weight(50), .analysis("3s"), .weight(100)]))
            try await cluster.waitFor("first deploy healthy", timeout: .seconds(30)) { $0.phase == .healthy }
            try await cluster.setTemplate(tag: "2.0.0")
            try await cluster.waitFor("the canary under way", timeout: .seconds(30)) { ($0.currentStepIndex ?? 0) >= 1 }

            // Only a's Lease calls are slow (5 s, longer than the 2 s renew deadline); its writes to Rollouts and
            // Deployments still go through at once, and b reaches the Lease API. The old elector noticed only when
            // an attempt returned, and wrote on while b already led.
            try await cluster.client.injectEmulatorLatency(userAgent: a.leaseUserAgent, milliseconds: 5_000)
            try await eventually("b takes over", timeout: .seconds(30)) { b.elector.isLeader }
            let lost = try await a.outcome(within: .seconds(30))
            #expect(lost is LeadershipLost, "\(lost)")
            try await cluster.waitFor("2.0.0 promoted by b", timeout: .seconds(60)) { $0.phase == .healthy && $0.stableVersion == "2.0.0" }
            try expectOneWriterAtATime(try await cluster.requestLog(), first: a.userAgent, second: b.userAgent)
          }
        }
    }

    static func isWrite(_ entry: JSONValue) -> Bool {
        !(entry["path"]?.stringValue ?? "").contains("/leases")
    }

    static func accepted(_ entry: JSONValue) -> Bool {
        (200..<300).contains(entry["code"]?.intValue ?? 0)
    }

    /// In the order the server applied them: every accepted write (Lease writes aside) of `first` comes before the
    /// first accepted write of `second`.
    func expectOneWriterAtATime(_ log: [JSONValue], first: String, second: String) throws {
        let writes = log.filter { Self.isWrite($0) && Self.accepted($0) }
        let by = { (entry: JSONValue, agent: String) in (entry["userAgent"]?.stringValue ?? "").contains(agent) }
        guard let handover = writes.firstIndex(where: { by($0, second) }) else { return }
        let late = writes[handover...].filter { by($0, first) }
        let summary = late.map { "\($0["verb"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "") → \($0["code"]?.intValue ?? 0)" }
        #expect(late.isEmpty, "writes of the old leader accepted after the new leader's first write: \(summary)")
    }
}

/// One controller process under leader election: its own API client and Lease client, both with the process's
/// User-Agent (so the emulator can cut off this process alone); the informers always run, the workers only while
/// it holds the Lease.
final class ElectedController: Sendable {
    let userAgent: String
    /// The Lease client's User-Agent (it contains ``userAgent``, so a partition of the process covers both).
    var leaseUserAgent: String { userAgent + "-lease" }
    let client: KubeClient
    let leaseClient: KubeClient
    let fledge: FledgeController
    let elector: LeaderElector
    let task: Task<Void, any Error>
    private let ended = ProcessEnd()

    init(id: String, url: URL, source: any AnalysisMetricsSource) async throws {
        userAgent = "fledge-test/\(id)"
        client = try KubeClient(configuration: ClientConfiguration(server: url, requestTimeout: .seconds(10), userAgent: userAgent),
                                logger: quietLogger)
        leaseClient = try KubeClient(configuration: ClientConfiguration(server: url, requestTimeout: .seconds(10), userAgent: userAgent + "-lease"),
                                     logger: quietLogger)
        let timing = FailoverTests.timing
        let term = LeadershipTerm()
        var options = FledgeControllerOptions()
        options.workers = 2
        options.term = term
        let fledge = FledgeController(client: client, options: options, metricsSource: source, logger: quietLogger)
        self.fledge = fledge
        let elector = LeaderElector(
            configuration: LeaderElectionConfiguration(leaseName: "fledge-controller", identity: id, leaseDuration: timing.lease,
                                                       renewDeadline: timing.renew, retryPeriod: timing.retry),
            leaseStore: KubeLeaseStore(client: leaseClient, namespace: "default"),
            services: [SyncedService(fledge.controller) { try await fledge.waitForSync() }], term: term, logger: quietLogger)
        self.elector = elector
        let informers = fledge.informers
        let ended = self.ended
        task = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for informer in informers { group.addTask { try await informer.run() } }
                    group.addTask { try await elector.run() }
                    // The elector's end (leadership lost) ends the process, as it does the real executable.
                    _ = try await group.next()
                    group.cancelAll()
                }
                ended.error.withLock { $0 = CancellationError() }
            } catch {
                ended.error.withLock { $0 = error }
                throw error
            }
        }
        try await eventually("\(id)'s caches to sync", timeout: .seconds(20)) {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await fledge.waitForSync(); return true }
                group.addTask { try await Task.sleep(for: .milliseconds(200)); return false }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        }
    }

    /// How the process ended (the error it stopped with), waiting up to `limit`.
    func outcome(within limit: Duration) async throws -> any Error {
        try await TestTimeouts.poll("the process to end", limit: limit) { ended.error.withLock { $0 != nil } }
        return ended.error.withLock { $0! }
    }

    /// Two processes, "a" leading first, stopped after `body` whatever happens.
    static func pair(_ cluster: Cluster, _ body: (ElectedController, ElectedController) async throws -> Void) async throws {
        let a = try await ElectedController(id: "a", url: cluster.emulator.url, source: cluster.metrics)
        var b: ElectedController?
        do {
            try await eventually("a leads", timeout: .seconds(20)) { a.elector.isLeader }
            b = try await ElectedController(id: "b", url: cluster.emulator.url, source: cluster.metrics)
            try await body(a, b!)
        } catch {
            await a.stop()
            await b?.stop()
            throw error
        }
        await a.stop()
        await b?.stop()
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        await fledge.shutdown()
        try? await client.shutdown()
        try? await leaseClient.shutdown()
    }
}

/// The error a test process ended with, once it has.
final class ProcessEnd: Sendable {
    let error = Mutex<(any Error)?>(nil)
}

extension KubeClient {
    /// The emulator's admin API: requests matching `path` and `userAgent` (either may be nil) are held up.
    func injectEmulatorLatency(path: String? = nil, userAgent: String? = nil, milliseconds: Int) async throws {
        var body: [String: JSONValue] = ["milliseconds": .number(Double(milliseconds))]
        if let path { body["path"] = .string(path) }
        if let userAgent { body["userAgent"] = .string(userAgent) }
        _ = try await send(Request(method: .post, path: "/emulator.fledge.dev/latency",
                                   headers: ["Accept": "application/json", "Content-Type": "application/json"],
                                   body: try JSONValue.object(body).data(), verb: "create"))
    }

    /// The emulator's admin API: clears injected faults and latency.
    func clearEmulatorFaults() async throws {
        _ = try await send(Request(method: .delete, path: "/emulator.fledge.dev/faults", verb: "delete"))
    }
}
