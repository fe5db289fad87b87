import Foundation
import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

@Suite("WorkQueue")
struct WorkQueueTests {
    @Test func duplicatesCollapse() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("a")
        await q.add("a")
        await q.add("b")
        await q.add("a")
        #expect(await q.count == 2)
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(await q.count == 0)
    }

    @Test func keyAddedWhileProcessingIsRequeuedAfterDone() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("a")
        #expect(await q.get() == "a")
        await q.add("a")
        await q.add("a")
        // Not handed out again while processing.
        #expect(await q.count == 0)
        await q.done("a")
        #expect(await q.count == 1)
        #expect(await q.get() == "a")
        await q.done("a")
        #expect(await q.count == 0)
        #expect(await q.processingCount == 0)
    }

    @Test func twoWorkersNeverProcessTheSameKeyAtOnce() async throws {
        let q = WorkQueue<Int>(name: "t", clock: ManualClock())
        let active = Locked<Set<Int>>([])
        let overlaps = Locked(0)
        let processed = Locked(0)
        let keys = 0..<4
        let rounds = 200

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let key = await q.get() {
                        let overlapped = active.withLock { !$0.insert(key).inserted }
                        if overlapped { overlaps.withLock { $0 += 1 } }
                        for _ in 0..<3 { await Task.yield() }
                        active.withLock { _ = $0.remove(key) }
                        processed.withLock { $0 += 1 }
                        await q.done(key)
                    }
                }
            }
            group.addTask {
                for round in 0..<rounds {
                    for key in keys { await q.add(key) }
                    if round % 7 == 0 { await Task.yield() }
                }
                try? await eventually("queue idle") {
                    let c = await q.count
                    let p = await q.processingCount
                    return c == 0 && p == 0
                }
                await q.shutDown()
            }
        }
        #expect(overlaps.withLock { $0 } == 0)
        #expect(processed.withLock { $0 } >= keys.count)
    }

    @Test func delayedAddArrivesWhenTheClockReachesIt() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(name: "t", clock: clock)
        await q.add("a", after: .seconds(10))
        await q.add("a", after: .seconds(1))  // earlier time wins
        #expect(await q.count == 0)
        #expect(await q.delayedCount == 1)
        clock.advance(by: .milliseconds(999))
        #expect(await q.count == 0)
        clock.advance(by: .milliseconds(1))
        try await eventually("delayed key") { await q.count == 1 }
        #expect(await q.delayedCount == 0)
        #expect(await q.get() == "a")
    }

    @Test func normalWorkGoesBeforeLowWorkFirstInFirstOutWithinALane() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("resync-1", priority: .low)
        await q.add("resync-2", priority: .low)
        await q.add("due-1")
        await q.add("due-2", priority: .normal)
        #expect(await q.count(.low) == 2)
        #expect(await q.count(.normal) == 2)
        var order: [String] = []
        for _ in 0..<4 {
            if let key = await q.get() {
                order.append(key)
                await q.done(key)
            }
        }
        #expect(order == ["due-1", "due-2", "resync-1", "resync-2"])
    }

    @Test func aNormalAddMovesAWaitingLowKeyUpOnce() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("a", priority: .low)
        await q.add("b", priority: .low)
        await q.add("b")                     // due now: moved up
        await q.add("b", priority: .low)     // a lower add never moves it down
        #expect(await q.count == 2)
        #expect(await q.get() == "b")
        await q.done("b")
        #expect(await q.get() == "a")
        await q.done("a")
        #expect(await q.count == 0, "the entry b left in the low lane is not handed out again")
        await q.add("c", priority: .low)
        #expect(await q.get() == "c")
    }

    @Test func aKeyAddedWhileProcessingComesBackAtTheHighestPriorityAsked() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("a")
        #expect(await q.get() == "a")
        await q.add("x", priority: .low)
        await q.add("a", priority: .low)
        await q.add("a")
        await q.done("a")
        #expect(await q.get() == "a", "back in the normal lane, ahead of x")
        await q.done("a")
        #expect(await q.get() == "x")
    }

    @Test func oneSleeperServesEveryDelayedAdd() async throws {
        let clock = ManualClock()
        let q = WorkQueue<Int>(name: "t", clock: clock)
        for i in 0..<100 { await q.add(i, after: .seconds(Double(100 - i))) }
        #expect(await q.delayedCount == 100)
        #expect(clock.sleeperCount == 1, "one task sleeps until the earliest deadline")
        clock.advance(by: .seconds(1))
        try await eventually("the earliest key") { await q.count == 1 }
        #expect(await q.get() == 99)
        clock.advance(by: .seconds(49))
        try await eventually("fifty keys") { await q.count == 49 }
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(50))
        try await eventually("all keys") { await q.count == 99 }
        #expect(await q.delayedCount == 0)
        try await eventually("no sleeper left") { clock.sleeperCount == 0 }
    }

    @Test func backoffDoublesFrom5msAndCapsAt1000s() {
        var limiter = ItemExponentialRateLimiter<String>()
        let now = RuntimeInstant(offset: .zero)
        let first = (0..<5).map { _ in limiter.when("k", now: now) }
        #expect(first == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        var last = Duration.zero
        for _ in 0..<100 { last = limiter.when("k", now: now) }
        #expect(last == .seconds(1000))
        // 5 ms * 2^17 = 655.36 s < 1000 s; 2^18 → 1310 s, capped.
        var fresh = ItemExponentialRateLimiter<String>()
        let seq = (0...18).map { _ in fresh.when("x", now: now) }
        #expect(seq[17] == .milliseconds(655_360))
        #expect(seq[18] == .seconds(1000))
        #expect(limiter.numRequeues("other") == 0)
    }

    @Test func forgetResetsBackoff() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(name: "t", clock: clock)
        await q.addRateLimited("a")
        await q.addRateLimited("a")
        await q.addRateLimited("a")
        #expect(await q.numRequeues("a") == 3)
        await q.forget("a")
        #expect(await q.numRequeues("a") == 0)

        var limiter = ItemExponentialRateLimiter<String>()
        let now = RuntimeInstant(offset: .zero)
        _ = limiter.when("a", now: now)
        _ = limiter.when("a", now: now)
        limiter.forget("a")
        #expect(limiter.when("a", now: now) == .milliseconds(5))
    }

    @Test func addRateLimitedDelaysByTheBackoff() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(name: "t", clock: clock)
        await q.addRateLimited("a")
        try await eventually("sleeper") { clock.sleeperDeadlines == [RuntimeInstant(offset: .milliseconds(5))] }
        #expect(await q.count == 0)
        clock.advance(by: .milliseconds(5))
        try await eventually("key after backoff") { await q.count == 1 }
    }

    @Test func defaultLimiterTakesTheMaxOfBackoffAndBucket() {
        var limiter = defaultControllerRateLimiter(for: String.self)
        var now = RuntimeInstant(offset: .zero)
        // The bucket starts with 100 tokens: the per-key backoff (5 ms) decides.
        for i in 0..<100 {
            #expect(limiter.when("k\(i)", now: now) == .milliseconds(5))
        }
        // Bucket empty: 10 qps means the next tokens come 100 ms, 200 ms later.
        #expect(limiter.when("x", now: now) == .milliseconds(100))
        #expect(limiter.when("y", now: now) == .milliseconds(200))
        // One second later 10 tokens were refilled (balance -2 + 10 = 8).
        now = now + .seconds(1)
        #expect(limiter.when("z", now: now) == .milliseconds(5))
        // A key with many failures: its backoff dominates the bucket.
        for _ in 0..<9 { _ = limiter.when("hot", now: now) }
        #expect(limiter.when("hot", now: now) == .milliseconds(5 * 512))
        #expect(limiter.numRequeues("hot") == 10)
        limiter.forget("hot")
        #expect(limiter.numRequeues("hot") == 0)
    }

    @Test func shutdownDrainsInFlightKeysAndStopsHandingOut() async throws {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        await q.add("a")
        await q.add("b")
        #expect(await q.get() == "a")
        let drained = Locked(false)
        let drain = Task {
            await q.shutDownWithDrain()
            drained.withLock { $0 = true }
        }
        try await eventually("shutting down") { await q.isShuttingDown }
        #expect(await q.get() == nil)
        await q.add("c")
        #expect(await q.count == 0)
        #expect(drained.withLock { $0 } == false)
        await q.done("a")
        await drain.value
        #expect(drained.withLock { $0 })
    }

    @Test func blockedGetterIsReleasedByShutdown() async throws {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        let getter = Task { await q.get() }
        await q.shutDown()
        #expect(await getter.value == nil)
    }
}
