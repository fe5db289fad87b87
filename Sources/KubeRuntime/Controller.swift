import enum Kube.KubeError
import Logging
import ServiceLifecycle

/// Runs a `Reconciler` on `workers` concurrent workers fed by a `WorkQueue`.
///
/// - A key is never reconciled by two workers at once (the queue guarantees it).
/// - `.done` forgets the key's failures; `.requeue(after:)` forgets them and re-adds the
///   key after the delay; a thrown error re-adds it with the queue's rate limiter
///   (per-key exponential backoff, 5 ms → 1000 s by default).
/// - As a `Service`, `run()` runs until graceful shutdown or cancellation; then the
///   queue stops handing out keys, in-flight reconciles finish (drain) and `run()` returns.
///   On cancellation the in-flight reconciles are cancelled too.
public final class Controller<R: Reconciler>: Service, Sendable {
    public let name: String
    public let reconciler: R
    /// The queue event handlers add keys to.
    public let queue: WorkQueue<ObjectKey>
    public let workers: Int
    private let clock: any RuntimeClock
    private let metrics: any RuntimeMetrics
    private let logger: Logger
    private let running = Locked(false)

    public init(
        name: String,
        reconciler: R,
        queue: WorkQueue<ObjectKey>? = nil,
        workers: Int = 1,
        clock: any RuntimeClock = SystemRuntimeClock(),
        metrics: any RuntimeMetrics = NoMetrics(),
        logger: Logger = Logger(label: "fledge.runtime.controller")
    ) {
        precondition(workers > 0, "a controller needs at least one worker")
        self.name = name
        self.reconciler = reconciler
        self.queue = queue ?? WorkQueue(name: name, clock: clock, metrics: metrics)
        self.workers = workers
        self.clock = clock
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
    }

    /// Whether `run()` is currently executing.
    public var isRunning: Bool { running.withLock { $0 } }

    public func run() async throws {
        running.withLock { $0 = true }
        defer { running.withLock { $0 = false } }
        let queue = self.queue
        logger.debug("starting workers", metadata: ["workers": "\(workers)"])
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
            }
        } onCancelOrGracefulShutdown: {
            Task { await queue.shutDown() }
        }
        // Workers have returned, so nothing is in flight; make sure the queue is closed.
        await queue.shutDownWithDrain()
        logger.debug("workers stopped")
    }

    /// Stops handing out keys and waits for in-flight reconciles; `run()` then returns.
    public func stop() async {
        await queue.shutDownWithDrain()
    }

    private func work() async {
        while let key = await queue.get() {
            await process(key)
            await queue.done(key)
        }
    }

    private func process(_ key: ObjectKey) async {
        let start = clock.now()
        do {
            let result = try await reconciler.reconcile(key)
            await queue.forget(key)
            switch result {
            case .done:
                metrics.reconciled(controller: name, duration: clock.now() - start, outcome: .success)
            case .requeue(let delay):
                await queue.add(key, after: delay)
                metrics.reconciled(controller: name, duration: clock.now() - start, outcome: .requeue)
            }
        } catch {
            metrics.reconciled(controller: name, duration: clock.now() - start, outcome: .error)
            let retries = await queue.numRequeues(key)
            // A conflict is optimistic concurrency doing its job (the object changed under us): expected, not alarming.
            let expected: Bool = if case KubeError.conflict = error { true } else { false }
            logger.log(
                level: expected && retries < 5 ? .info : .warning,
                "reconcile failed; retrying with backoff",
                metadata: ["key": "\(key)", "retries": "\(retries)", "error": "\(error)"]
            )
            await queue.addRateLimited(key)
        }
    }
}
