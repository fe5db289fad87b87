import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

/// A reconciler whose behaviour per call is scripted by the test.
final class ScriptedReconciler: Reconciler, @unchecked Sendable {
    struct Failure: Error {}
    private let script: Locked<[ReconcileResult?]>  // nil = throw
    let calls = Locked<[ObjectKey]>([])

    init(_ script: [ReconcileResult?]) {
        self.script = Locked(script)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        calls.withLock { $0.append(key) }
        let next: ReconcileResult?? = script.withLock { $0.isEmpty ? .some(.done) : $0.removeFirst() }
        guard let result = next ?? nil else { throw Failure() }
        return result
    }

    var callCount: Int { calls.withLock { $0.count } }
}

@Suite("Controller")
struct ControllerTests {
    let key = ObjectKey(namespace: "default", name: "web")

    @Test func errorsAreRetriedWithPerKeyBackoff() async throws {
        let clock = ManualClock()
        let reconciler = ScriptedReconciler([nil, nil, nil, .done])
        let controller = Controller(name: "test", reconciler: reconciler, workers: 2, clock: clock)
        let run = Task { try await controller.run() }
        await controller.queue.add(key)

        var elapsed = Duration.zero
        for (attempt, backoff) in [Duration.milliseconds(5), .milliseconds(10), .milliseconds(20)].enumerated() {
            try await eventually("attempt \(attempt + 1)") { reconciler.callCount == attempt + 1 }
            try await eventually("backoff sleeper") {
                clock.sleeperDeadlines == [RuntimeInstant(offset: elapsed + backoff)]
            }
            #expect(await controller.queue.numRequeues(key) == attempt + 1)
            clock.advance(by: backoff)
            elapsed += backoff
        }
        try await eventually("success") { reconciler.callCount == 4 }
        try await eventually("forgotten") { await controller.queue.numRequeues(key) == 0 }
        run.cancel()
        try await run.value
        #expect(!controller.isRunning)
    }

    @Test func requeueAfterIsHonoured() async throws {
        let clock = ManualClock()
        let reconciler = ScriptedReconciler([.requeue(after: .seconds(30)), .done])
        let controller = Controller(name: "test", reconciler: reconciler, clock: clock)
        let run = Task { try await controller.run() }
        await controller.queue.add(key)
        try await eventually("first reconcile") { reconciler.callCount == 1 }
        try await eventually("requeue sleeper") { clock.sleeperDeadlines == [RuntimeInstant(offset: .seconds(30))] }
        clock.advance(by: .seconds(29))
        #expect(clock.sleeperDeadlines == [RuntimeInstant(offset: .seconds(30))])
        #expect(await controller.queue.count == 0)
        clock.advance(by: .seconds(1))
        try await eventually("second reconcile") { reconciler.callCount == 2 }
        #expect(await controller.queue.numRequeues(key) == 0)
        run.cancel()
        try await run.value
    }

    @Test func gracefulShutdownDrainsInFlightReconciles() async throws {
        let gate = Gate()
        let started = Locked<[ObjectKey]>([])
        let finished = Locked<[ObjectKey]>([])
        let reconciler = ClosureReconciler { key in
            started.withLock { $0.append(key) }
            await gate.wait()
            finished.withLock { $0.append(key) }
            return .done
        }
        let controller = Controller(name: "drain", reconciler: reconciler, clock: ManualClock())
        let group = ServiceGroup(services: [controller], logger: Logger(label: "test"))
        let run = Task { try await group.run() }
        try await eventually("running") { controller.isRunning }
        await controller.queue.add(key)
        try await eventually("reconcile started") { started.withLock { $0.count } == 1 }

        await group.triggerGracefulShutdown()
        try await eventually("queue closed") { await controller.queue.isShuttingDown }
        await controller.queue.add(ObjectKey(namespace: "default", name: "late"))
        #expect(controller.isRunning)  // still draining the in-flight key
        await gate.open()
        try await run.value
        #expect(finished.withLock { $0 } == [key])
        #expect(started.withLock { $0 } == [key])
        #expect(!controller.isRunning)
    }
}

struct ClosureReconciler: Reconciler {
    let body: @Sendable (ObjectKey) async throws -> ReconcileResult
    init(_ body: @escaping @Sendable (ObjectKey) async throws -> ReconcileResult) { self.body = body }
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult { try await body(key) }
}

/// A one-shot gate: `wait()` suspends until `open()`.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters.removeAll()
    }
}
