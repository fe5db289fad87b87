import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

/// A service that runs until cancelled or shut down gracefully, and records that it ran.
final class RecordingService: Service, Sendable {
    private let running = Locked(false)
    var isRunning: Bool { running.withLock { $0 } }

    func run() async throws {
        running.withLock { $0 = true }
        defer { running.withLock { $0 = false } }
        let queue = WorkQueue<Int>(name: "idle", clock: ManualClock())
        await withTaskCancellationOrGracefulShutdownHandler {
            _ = await queue.get()  // returns nil at shutdown
        } onCancelOrGracefulShutdown: {
            Task { await queue.shutDown() }
        }
    }
}

@Suite("LeaderElection")
struct LeaderElectionTests {
    let store = InMemoryLeaseStore()
    let clock = ManualClock()
    let lease = "fledge-controller"

    func candidate(_ identity: String, services: [any Service] = []) -> (LeaderElector, RecordingService) {
        let service = RecordingService()
        let elector = LeaderElector(
            configuration: LeaderElectionConfiguration(leaseName: lease, identity: identity),
            leaseStore: store, services: services.isEmpty ? [service] : services, clock: clock
        )
        return (elector, service)
    }

    /// Advances the clock by one retry period and waits until `sleepers` tasks sleep again.
    func tick(_ duration: Duration = .seconds(2), sleepers: Int) async throws {
        clock.advance(by: duration)
        try await eventually("\(sleepers) sleepers") { clock.sleeperCount == sleepers }
    }

    @Test func oneOfTwoCandidatesLeads() async throws {
        let (a, serviceA) = candidate("a")
        let (b, serviceB) = candidate("b")
        let runA = Task { try await a.run() }
        try await eventually("a leads") { a.isLeader && serviceA.isRunning }
        let runB = Task { try await b.run() }
        try await eventually("both sleeping") { clock.sleeperCount == 2 }
        for _ in 0..<10 {
            try await tick(sleepers: 2)
            #expect(a.isLeader)
            #expect(!b.isLeader)
        }
        #expect(!serviceB.isRunning)
        #expect(b.observedLeader == "a")
        let record = try #require(store.lease(lease))
        #expect(record.holderIdentity == "a")
        #expect(record.leaseTransitions == 0)
        #expect(record.leaseDurationSeconds == 15)
        #expect(record.acquireTime == clock.wallTime().addingTimeInterval(-20))
        #expect(record.renewTime == clock.wallTime())
        runA.cancel()
        runB.cancel()
        _ = try? await runA.value
        _ = try? await runB.value
    }

    @Test func followerTakesOverAfterTheLeaderStopsRenewing() async throws {
        let (a, _) = candidate("a")
        let (b, serviceB) = candidate("b")
        let runA = Task { try await a.run() }
        try await eventually("a leads") { a.isLeader }
        let runB = Task { try await b.run() }
        try await eventually("both sleeping") { clock.sleeperCount == 2 }
        // The leader dies without releasing (a crash): nobody renews any more.
        runA.cancel()
        _ = try? await runA.value
        try await eventually("b alone") { clock.sleeperCount == 1 }
        // b saw the last change at t=0; the lease expires 15 s after that observation.
        for _ in 0..<7 {
            try await tick(sleepers: 1)
            #expect(!b.isLeader)
        }
        clock.advance(by: .seconds(2))  // t = 16 s
        try await eventually("b leads") { b.isLeader && serviceB.isRunning }
        let record = try #require(store.lease(lease))
        #expect(record.holderIdentity == "b")
        #expect(record.leaseTransitions == 1)
        #expect(record.acquireTime == clock.wallTime())
        runB.cancel()
        _ = try? await runB.value
    }

    @Test func expiryIsJudgedByLocalObservationNotRemoteTimestamps() async throws {
        // A lease renewed "an hour ago" by a machine whose clock may be skewed.
        let stale = clock.wallTime().addingTimeInterval(-3600)
        store.put(name: lease, LeaseRecord(
            holderIdentity: "other", leaseDurationSeconds: 15,
            acquireTime: stale, renewTime: stale, leaseTransitions: 4
        ))
        let (b, _) = candidate("b")
        let runB = Task { try await b.run() }
        try await eventually("b waiting") { clock.sleeperCount == 1 }
        #expect(!b.isLeader)
        for _ in 0..<7 {  // up to t = 14 s
            try await tick(sleepers: 1)
            #expect(!b.isLeader)
        }
        clock.advance(by: .seconds(2))
        try await eventually("b leads") { b.isLeader }
        #expect(store.lease(lease)?.leaseTransitions == 5)
        runB.cancel()
        _ = try? await runB.value
    }

    @Test func releaseOnGracefulShutdownHandsOverImmediately() async throws {
        let (a, serviceA) = candidate("a")
        let (b, _) = candidate("b")
        let groupA = ServiceGroup(services: [a], logger: Logger(label: "test"))
        let runA = Task { try await groupA.run() }
        try await eventually("a leads") { a.isLeader && serviceA.isRunning }
        let runB = Task { try await b.run() }
        try await eventually("both sleeping") { clock.sleeperCount == 2 }

        await groupA.triggerGracefulShutdown()
        try await runA.value
        #expect(!a.isLeader)
        #expect(!serviceA.isRunning)
        let released = try #require(store.lease(lease))
        #expect(released.holderIdentity == nil)
        #expect(released.leaseDurationSeconds == 1)

        // b's next retry (2 s later, far less than 15 s) takes the lease.
        clock.advance(by: .seconds(2))
        try await eventually("b leads") { b.isLeader }
        #expect(store.lease(lease)?.holderIdentity == "b")
        #expect(store.lease(lease)?.leaseTransitions == 1)
        runB.cancel()
        _ = try? await runB.value
    }

    @Test func gracefulShutdownBeforeLeadingReturns() async throws {
        store.put(name: lease, LeaseRecord(holderIdentity: "other", leaseDurationSeconds: 15))
        let (b, _) = candidate("b")
        let group = ServiceGroup(services: [b], logger: Logger(label: "test"))
        let run = Task { try await group.run() }
        try await eventually("b waiting") { clock.sleeperCount == 1 }
        await group.triggerGracefulShutdown()
        try await run.value
        #expect(store.lease(lease)?.holderIdentity == "other")
    }

    @Test func conflictsAreRetried() async throws {
        let (a, _) = candidate("a")
        let (b, _) = candidate("b")
        // Both race for the missing lease: create conflicts for one of them.
        let runA = Task { try await a.run() }
        let runB = Task { try await b.run() }
        try await eventually("one leads, both sleep") { clock.sleeperCount == 2 && (a.isLeader || b.isLeader) }
        #expect(a.isLeader != b.isLeader)
        let leader = a.isLeader ? a : b
        let updates = store.updateCount
        // One renew hits a conflict: the leader keeps leading and the next renew succeeds.
        store.conflictNextUpdates(1)
        try await tick(sleepers: 2)
        #expect(leader.isLeader)
        try await tick(sleepers: 2)
        #expect(leader.isLeader)
        #expect(store.updateCount == updates + 1)
        #expect(store.lease(lease)?.renewTime == clock.wallTime())
        runA.cancel()
        runB.cancel()
        _ = try? await runA.value
        _ = try? await runB.value
    }

    @Test func anotherHolderStopsTheWorkersAndSurfacesLeadershipLost() async throws {
        let reconciler = ScriptedReconciler([])
        let controller = Controller(name: "rollouts", reconciler: reconciler, workers: 2, clock: clock)
        let (a, _) = candidate("a", services: [controller])
        let group = ServiceGroup(services: [a], logger: Logger(label: "test"))
        let run = Task { try await group.run() }
        try await eventually("a leads") { a.isLeader && controller.isRunning }
        await controller.queue.add(ObjectKey(namespace: "default", name: "web"))
        try await eventually("reconciled") { reconciler.callCount == 1 }

        var stolen = try #require(store.lease(lease))
        stolen.holderIdentity = "intruder"
        store.put(name: lease, stolen)
        clock.advance(by: .seconds(2))
        await #expect(throws: LeadershipLost.self) { try await run.value }
        #expect(!a.isLeader)
        #expect(!controller.isRunning)
        #expect(await controller.queue.isShuttingDown)
    }

    @Test func renewDeadlineWithoutSuccessLosesLeadership() async throws {
        let (a, service) = candidate("a")
        let run = Task { try await a.run() }
        try await eventually("a leads") { a.isLeader }
        try await eventually("renew timer") { clock.sleeperCount == 1 }
        store.failAllUpdates(true)
        for _ in 0..<4 {  // failed renews at 2, 4, 6, 8 s: still within the 10 s deadline
            try await tick(sleepers: 1)
            #expect(a.isLeader)
        }
        clock.advance(by: .seconds(2))  // 10 s without a successful renew
        do {
            try await run.value
            Issue.record("expected LeadershipLost")
        } catch let lost as LeadershipLost {
            #expect(lost.identity == "a")
            #expect(lost.reason.contains("no successful renew"))
        }
        #expect(!service.isRunning)
        #expect(!a.isLeader)
    }

    // MARK: Failover safety: the term ends before anyone else can lead

    @Test func aRenewThatHangsEndsTheTermAtTheDeadlineNotWhenTheCallReturns() async throws {
        let (a, service) = candidate("a")
        let run = Task { try await a.run() }
        try await eventually("a leads") { a.isLeader && service.isRunning }
        #expect(a.term.timeLeft == .seconds(10))
        try await eventually("renew timer") { clock.sleeperCount == 1 }
        // From now on the API server answers nothing within any budget.
        store.stall(on: clock)
        clock.advance(by: .seconds(2))  // t = 2: the renew begins and hangs
        try await eventually("renew hanging") { clock.sleeperDeadlines == [RuntimeInstant(offset: .seconds(10))] }
        #expect(store.budgets.last == .seconds(8), "the call gets only the time left before the deadline")
        clock.advance(by: .seconds(7))  // t = 9
        #expect(a.term.timeLeft == .seconds(1))
        #expect(throws: Never.self) { try a.term.check() }
        clock.advance(by: .seconds(1))  // t = 10 = the renew deadline, 5 s before any follower may take the lease
        await #expect(throws: LeadershipLost.self) { try await run.value }
        #expect(throws: NotLeading.self) { try a.term.check() }
        #expect(a.term.timeLeft == .zero)
        #expect(!service.isRunning)
    }

    @Test func aCutOffLeaderStopsWritingBeforeTheFollowerTakesOver() async throws {
        let (a, _) = candidate("a")
        let (b, serviceB) = candidate("b")
        let runA = Task { try await a.run() }
        try await eventually("a leads") { a.isLeader }
        let runB = Task { try await b.run() }
        try await eventually("both sleeping") { clock.sleeperCount == 2 }
        store.failAllUpdates(true)  // a can read but no longer renew: cut off from writing the Lease
        var aStopped: Int?
        var bStarted: Int?
        for second in 1...16 {
            clock.advance(by: .seconds(1))
            if second == 10 {
                await #expect(throws: LeadershipLost.self) { try await runA.value }
                store.failAllUpdates(false)  // the cut was a's; b reaches the server
            }
            try await eventually("settled at \(second) s") { clock.sleeperCount == (second < 10 ? 2 : 1) }
            if second == 16 { try await eventually("b leads") { b.isLeader && serviceB.isRunning } }
            let aMayWrite = (try? a.term.check()) != nil
            if !aMayWrite, aStopped == nil { aStopped = second }
            if b.isLeader, bStarted == nil { bStarted = second }
            #expect(!(aMayWrite && b.isLeader), "two writers at \(second) s")
        }
        // a's last renew began at 0: its term ends at the 10 s renew deadline; b saw that renew at 0 and takes the
        // lease at its first retry after 15 s.
        #expect(aStopped == 10)
        #expect(bStarted == 16)
        runB.cancel()
        _ = try? await runB.value
    }

    @Test func withoutLeaderElectionTheTermAlwaysAllowsWrites() throws {
        let term = LeadershipTerm.unbounded()
        #expect(term.timeLeft == nil)
        #expect(throws: Never.self) { try term.check() }
        let led = LeadershipTerm(clock: clock)
        #expect(throws: NotLeading.self) { try led.check() }
    }
}
