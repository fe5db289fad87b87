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

/// Failover is safe by construction: two controller replicas under leader election against the emulator, one of
/// them partitioned from the API server (every request held up past the Lease) or with Lease calls slower than the
/// renew deadline. At no instant do two processes write: in the order the server applied them, the accepted writes
/// come in one unbroken run per process — once another process has written, an earlier one never writes again.
/// A process that loses the Lease exits and its replica starts a new process, as Kubernetes restarts the container.
@Suite(.timeLimit(.minutes(4)))
struct FailoverTests {
    /// Short Lease durations so the test runs in seconds, long enough that a busy machine does not lose the Lease
    /// by itself: 6 s lease, 4 s renew deadline, retry every second.
    static let timing = (lease: Duration.seconds(6), renew: Duration.seconds(4), retry: Duration.seconds(1))

    @Test func aPartitionedLeaderStopsBeforeTheFollowerTakesOverAndNoneOfItsLateWritesLand() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
            try await Replica.pair(cluster) { a, b in
                let steps: [RolloutStep] = [.weight(25), .analysis("3s"), .weight(50), .analysis("3s"), .weight(75), .analysis("3s"), .weight(100)]
                try await cluster.create(clusterRollout(steps: steps))
                try await cluster.waitFor("first deploy healthy", timeout: .seconds(30)) { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("the canary under way", timeout: .seconds(30)) { ($0.currentStepIndex ?? 0) >= 1 }
                let (leader, follower) = try await Replica.leaderAndFollower(a, b)

                // The leader is cut off: everything its processes send is held up 10 s, longer than the Lease (6 s)
                // but within the client's own 20 s timeout. A write it sent now would land in the next term unless it
                // stops writing when its term ends and gives up on what it sent before a follower can take over.
                for agent in [leader.userAgentPrefix, leader.leaseUserAgentPrefix] {
                    try await cluster.client.injectEmulatorLatency(userAgent: agent, milliseconds: 10_000)
                }
                try await eventually("the follower takes over", timeout: .seconds(60)) { follower.isLeader }
                try await eventually("the cut-off leader gives up by itself", timeout: .seconds(60)) { leader.lostLeadership > 0 }
                try await cluster.waitFor("2.0.0 promoted", timeout: .seconds(90)) { $0.phase == .healthy && $0.stableVersion == "2.0.0" }
                try expectOneWriterAtATime(try await cluster.requestLog())
            }
        }
    }

    @Test func aLeaderWhoseLeaseCallsAreSlowerThanTheRenewDeadlineStopsWritingBeforeTheFollowerTakesOver() async throws {
        try await Cluster.with(samples: ReconcilerIntegrationTests.goodSamples) { cluster in
            try await Replica.pair(cluster) { a, b in
                try await cluster.create(clusterRollout(steps: [.weight(25), .analysis("4s"), .weight(50), .analysis("4s"), .weight(100)]))
                try await cluster.waitFor("first deploy healthy", timeout: .seconds(30)) { $0.phase == .healthy }
                try await cluster.setTemplate(tag: "2.0.0")
                try await cluster.waitFor("the canary under way", timeout: .seconds(30)) { ($0.currentStepIndex ?? 0) >= 1 }
                let (leader, follower) = try await Replica.leaderAndFollower(a, b)

                // Only the leader's Lease calls are slow (8 s, longer than the 4 s renew deadline); its writes to
                // Rollouts and Deployments still go through at once, and the follower reaches the Lease API. The old
                // elector noticed only when an attempt returned, and wrote on while the follower already led.
                try await cluster.client.injectEmulatorLatency(userAgent: leader.leaseUserAgentPrefix, milliseconds: 8_000)
                try await eventually("the follower takes over", timeout: .seconds(60)) { follower.isLeader }
                try await eventually("the slow leader gives up by itself", timeout: .seconds(60)) { leader.lostLeadership > 0 }
                try await cluster.waitFor("2.0.0 promoted", timeout: .seconds(90)) { $0.phase == .healthy && $0.stableVersion == "2.0.0" }
                try expectOneWriterAtATime(try await cluster.requestLog())
            }
        }
    }

    /// In the order the server applied them, the accepted writes (Lease writes aside) of each process form one
    /// unbroken run: once another process has written, an earlier one never writes again.
    func expectOneWriterAtATime(_ log: [JSONValue]) throws {
        let writers = log.filter { entry in
            !(entry["path"]?.stringValue ?? "").contains("/leases") && (200..<300).contains(entry["code"]?.intValue ?? 0)
        }.compactMap { $0["userAgent"]?.stringValue }.filter { $0.hasPrefix(Replica.agentPrefix) }
        var finished: Set<String> = []
        var current: String?
        var violations: [String] = []
        for (i, writer) in writers.enumerated() where writer != current {
            if finished.contains(writer) { violations.append("write \(i) by \(writer) after another process had written") }
            if let current { finished.insert(current) }
            current = writer
        }
        #expect(violations.isEmpty, "\(violations.prefix(5)); writers in order: \(writers.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } })")
        #expect(Set(writers).count >= 2, "both replicas wrote: \(Set(writers))")
    }
}

/// One controller replica: it runs a process (its own API client and Lease client, informers always, workers
/// while it holds the Lease) and, when the process ends because leadership was lost, starts a new one, as
/// Kubernetes restarts the container. Every process has its own User-Agent, `fledge-test/<replica>#<n>` (the Lease
/// client's `fledge-test-lease/<replica>#<n>`), so the emulator can hold up one replica alone and the request log
/// says which process wrote.
final class Replica: Sendable {
    static let agentPrefix = "fledge-test/"
    let id: String
    var userAgentPrefix: String { Self.agentPrefix + id + "#" }
    var leaseUserAgentPrefix: String { "fledge-test-lease/" + id + "#" }
    private let state = Mutex(State())
    private let supervisor = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        var elector: LeaderElector?
        var lost = 0
        var stopped = false
    }

    /// Whether its current process holds the Lease.
    var isLeader: Bool { state.withLock { $0.elector?.isLeader ?? false } }
    /// How many of its processes ended by losing leadership.
    var lostLeadership: Int { state.withLock { $0.lost } }

    init(id: String, url: URL, source: any AnalysisMetricsSource) {
        self.id = id
        let task = Task { [self] in
            var incarnation = 0
            while !state.withLock({ $0.stopped }) {
                incarnation += 1
                let ended = await runProcess(incarnation, url: url, source: source)
                if ended is LeadershipLost { state.withLock { $0.lost += 1 } }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        supervisor.withLock { $0 = task }
    }

    /// One process, until it ends; returns why.
    private func runProcess(_ n: Int, url: URL, source: any AnalysisMetricsSource) async -> (any Error)? {
        do {
            let client = try KubeClient(configuration: ClientConfiguration(server: url, requestTimeout: .seconds(20),
                                                                           userAgent: userAgentPrefix + "\(n)"), logger: quietLogger)
            let leaseClient = try KubeClient(configuration: ClientConfiguration(server: url, requestTimeout: .seconds(20),
                                                                                userAgent: leaseUserAgentPrefix + "\(n)"), logger: quietLogger)
            let timing = FailoverTests.timing
            let term = LeadershipTerm()
            var options = FledgeControllerOptions()
            options.workers = 2
            options.term = term
            let fledge = FledgeController(client: client, options: options, metricsSource: source, logger: quietLogger)
            let elector = LeaderElector(
                configuration: LeaderElectionConfiguration(leaseName: "fledge-controller", identity: "\(id)#\(n)", leaseDuration: timing.lease,
                                                           renewDeadline: timing.renew, retryPeriod: timing.retry),
                leaseStore: KubeLeaseStore(client: leaseClient, namespace: "default"),
                services: [SyncedService(fledge.controller) { try await fledge.waitForSync() }], term: term, logger: quietLogger)
            state.withLock { $0.elector = elector }
            let informers = fledge.informers
            var ended: (any Error)?
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for informer in informers { group.addTask { try await informer.run() } }
                    group.addTask { try await elector.run() }
                    // The elector's end (leadership lost) ends the process, as it does the real executable.
                    _ = try await group.next()
                    group.cancelAll()
                }
            } catch {
                ended = error
            }
            state.withLock { $0.elector = nil }
            await fledge.shutdown()
            try? await client.shutdown()
            try? await leaseClient.shutdown()
            return ended
        } catch {
            return error
        }
    }

    func stop() async {
        state.withLock { $0.stopped = true }
        let task = supervisor.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    /// The replica leading now and the other (a busy machine may be between two leaders: waits for one).
    static func leaderAndFollower(_ a: Replica, _ b: Replica) async throws -> (Replica, Replica) {
        try await eventually("one replica leads", timeout: .seconds(30)) { a.isLeader || b.isLeader }
        return a.isLeader ? (a, b) : (b, a)
    }

    /// Replicas "a" and "b", one leading before `body`; both stopped afterwards whatever happens.
    static func pair(_ cluster: Cluster, _ body: (Replica, Replica) async throws -> Void) async throws {
        let a = Replica(id: "a", url: cluster.emulator.url, source: cluster.metrics)
        let b = Replica(id: "b", url: cluster.emulator.url, source: cluster.metrics)
        do {
            try await eventually("one replica leads", timeout: .seconds(30)) { a.isLeader || b.isLeader }
            try await body(a, b)
        } catch {
            await a.stop()
            await b.stop()
            throw error
        }
        await a.stop()
        await b.stop()
    }
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
}
