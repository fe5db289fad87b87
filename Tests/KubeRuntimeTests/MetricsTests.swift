import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

final class MetricsRecorder: RuntimeMetrics {
    let depths = Locked<[Int]>([])
    let retries = Locked(0)
    let outcomes = Locked<[ReconcileOutcome]>([])
    let durations = Locked<[Duration]>([])

    func queueDepth(queue: String, depth: Int) { depths.withLock { $0.append(depth) } }
    func retried(queue: String) { retries.withLock { $0 += 1 } }
    func reconciled(controller: String, duration: Duration, outcome: ReconcileOutcome) {
        outcomes.withLock { $0.append(outcome) }
        durations.withLock { $0.append(duration) }
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test func controllerReportsDepthRetriesAndOutcomes() async throws {
        let clock = ManualClock()
        let metrics = MetricsRecorder()
        let reconciler = ScriptedReconciler([nil, .requeue(after: .seconds(1)), .done])
        let controller = Controller(name: "m", reconciler: reconciler, clock: clock, metrics: metrics)
        await controller.queue.add(ObjectKey(namespace: "ns", name: "a"))
        await controller.queue.add(ObjectKey(namespace: "ns", name: "b"))
        #expect(metrics.depths.withLock { $0 } == [1, 2])

        let run = Task { try await controller.run() }
        try await eventually("a and b reconciled") { reconciler.callCount == 2 }
        try await eventually("two delayed") { await controller.queue.delayedCount == 2 && clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        // a's backoff (5 ms) and b's requeue (1 s) are both due now.
        try await eventually("retries done") { reconciler.callCount == 4 }
        #expect(metrics.retries.withLock { $0 } == 1)
        #expect(metrics.outcomes.withLock { $0 } == [.error, .requeue, .success, .success])
        #expect(metrics.durations.withLock { $0 }.allSatisfy { $0 == .zero })
        run.cancel()
        try await run.value
    }
}
