/// A work queue of keys with the semantics of client-go's rate-limited workqueue:
///
/// - A key is handed to at most one worker at a time (the *processing* set). A key added
///   while it is being processed is remembered (the *dirty* set) and queued again when
///   the worker calls `done(_:)`.
/// - Adding a key that is already waiting is a no-op: duplicates collapse.
/// - `add(_:after:)` delays an add; `addRateLimited(_:)` delays it by the rate limiter
///   (per-key exponential backoff combined with an overall token bucket by default).
/// - `forget(_:)` resets a key's failure history after a success.
/// - `shutDown()` stops handing out keys; `shutDownWithDrain()` additionally waits until
///   every in-flight key is `done`.
///
/// All timing comes from the injected `RuntimeClock`.
public actor WorkQueue<Key: Hashable & Sendable> {
    /// The queue's name, used for metrics.
    public nonisolated let name: String
    private let clock: any RuntimeClock
    private let metrics: any RuntimeMetrics
    private var rateLimiter: any RateLimiter<Key>

    private var queue: [Key] = []
    private var head = 0
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var shuttingDown = false

    /// Earliest pending delayed add per key, and the tasks sleeping for them.
    private var waiting: [Key: RuntimeInstant] = [:]
    private var delayTasks: [UInt64: Task<Void, Never>] = [:]
    private var nextTaskID: UInt64 = 0

    private var getters: [CheckedContinuation<Key?, Never>] = []
    private var drainers: [CheckedContinuation<Void, Never>] = []

    /// Creates a queue.
    /// - Parameters:
    ///   - rateLimiter: decides the delay of `addRateLimited`; defaults to client-go's controller limiter.
    ///   - clock: time source for delays and the token bucket.
    public init(
        name: String,
        rateLimiter: any RateLimiter<Key> = defaultControllerRateLimiter(for: Key.self),
        clock: any RuntimeClock = SystemRuntimeClock(),
        metrics: any RuntimeMetrics = NoMetrics()
    ) {
        self.name = name
        self.rateLimiter = rateLimiter
        self.clock = clock
        self.metrics = metrics
    }

    // MARK: Adding

    /// Adds `key` now. Ignored after shutdown; collapses with a waiting duplicate.
    public func add(_ key: Key) {
        guard !shuttingDown else { return }
        guard dirty.insert(key).inserted else { return }
        if processing.contains(key) { return }  // queued again by `done`
        if let getter = getters.first {
            getters.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            getter.resume(returning: key)
            return
        }
        queue.append(key)
        reportDepth()
    }

    /// Adds `key` once `delay` has passed. If the key already waits for an earlier time,
    /// the earlier time wins.
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let readyAt = clock.now() + delay
        if let existing = waiting[key], existing <= readyAt { return }
        waiting[key] = readyAt
        let id = nextTaskID
        nextTaskID += 1
        let clock = self.clock
        delayTasks[id] = Task {
            do {
                try await clock.sleep(until: readyAt)
            } catch {
                self.delayFinished(id: id, key: key, readyAt: readyAt, fire: false)
                return
            }
            self.delayFinished(id: id, key: key, readyAt: readyAt, fire: true)
        }
    }

    private func delayFinished(id: UInt64, key: Key, readyAt: RuntimeInstant, fire: Bool) {
        delayTasks[id] = nil
        // A later, earlier-deadline add replaced this one: that task adds the key.
        guard fire, waiting[key] == readyAt else { return }
        waiting[key] = nil
        add(key)
    }

    /// Adds `key` after the rate limiter's delay, counting one more failure for it.
    public func addRateLimited(_ key: Key) {
        guard !shuttingDown else { return }
        let delay = rateLimiter.when(key, now: clock.now())
        metrics.retried(queue: name)
        add(key, after: delay)
    }

    /// Resets the failure history of `key` (call after it was processed successfully).
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
    }

    /// How many times `key` was re-added with `addRateLimited` since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int {
        rateLimiter.numRequeues(key)
    }

    // MARK: Processing

    /// Waits for the next key and marks it as processing. Returns `nil` once the queue is
    /// shut down (keys still waiting are dropped: the runtime is level-triggered, the next
    /// start re-lists everything). Callers must call `done(_:)` for every key they get.
    public func get() async -> Key? {
        if shuttingDown { return nil }
        if head < queue.count {
            let key = queue[head]
            head += 1
            compact()
            dirty.remove(key)
            processing.insert(key)
            reportDepth()
            return key
        }
        return await withCheckedContinuation { getters.append($0) }
    }

    /// Marks `key` as no longer processing; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key), !shuttingDown {
            if let getter = getters.first {
                getters.removeFirst()
                dirty.remove(key)
                processing.insert(key)
                getter.resume(returning: key)
            } else {
                queue.append(key)
                reportDepth()
            }
        }
        if processing.isEmpty, shuttingDown {
            let waiting = drainers
            drainers.removeAll()
            for d in waiting { d.resume() }
        }
    }

    // MARK: Shutdown

    /// Stops handing out keys: `get()` returns `nil`, adds are ignored, delayed adds are
    /// cancelled. In-flight keys may still finish and call `done`.
    public func shutDown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        for task in delayTasks.values { task.cancel() }
        delayTasks.removeAll()
        waiting.removeAll()
        let getters = self.getters
        self.getters.removeAll()
        for g in getters { g.resume(returning: nil) }
        queue.removeAll()
        head = 0
        dirty.removeAll()
        reportDepth()
    }

    /// Shuts down and waits until every in-flight key is `done`.
    public func shutDownWithDrain() async {
        shutDown()
        if processing.isEmpty { return }
        await withCheckedContinuation { drainers.append($0) }
    }

    // MARK: Inspection

    /// Keys waiting to be handed out (not counting delayed or in-flight keys).
    public var count: Int { queue.count - head }
    /// Keys currently handed out and not yet `done`.
    public var processingCount: Int { processing.count }
    /// Keys waiting for a delayed add.
    public var delayedCount: Int { waiting.count }
    /// Whether the queue was shut down.
    public var isShuttingDown: Bool { shuttingDown }

    private func compact() {
        if head > 64, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }

    private func reportDepth() {
        metrics.queueDepth(queue: name, depth: count)
    }
}
