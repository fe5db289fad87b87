import HeapModule

/// How soon a queued key should be handed out. Work that is due (a change someone made, a timer the reconciler
/// asked for) goes before work that is only a check (a periodic resync, the initial list, an echo of the
/// controller's own status write): at 1,000 Rollouts the checks alone fill the queue, and due work behind them
/// waits a whole pass.
public enum WorkPriority: Int, Sendable, Comparable, CaseIterable {
    /// Handed out only when no normal work waits.
    case low = 0
    /// The default.
    case normal = 1

    public static func < (a: WorkPriority, b: WorkPriority) -> Bool { a.rawValue < b.rawValue }
}

/// A work queue of keys with the semantics of client-go's rate-limited workqueue, and two lanes:
///
/// - A key is handed to at most one worker at a time (the *processing* set). A key added
///   while it is being processed is remembered and queued again when the worker calls `done(_:)`.
/// - Adding a key that is already waiting is a no-op (duplicates collapse), except that a normal add
///   moves a key waiting in the low lane up to the normal lane.
/// - `get()` takes from the normal lane first, then from the low lane; within a lane, first in first out.
/// - `add(_:after:)` delays an add (to the normal lane: it is due work); `addRateLimited(_:)` delays it by
///   the rate limiter (per-key exponential backoff combined with an overall token bucket by default). One
///   sleeping task serves every delayed add (the earliest deadline), not one per add.
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

    /// One FIFO per priority (index: raw value). A key moved up to the normal lane leaves a stale entry behind
    /// in the low one, skipped when reached.
    private var lanes: [[Key]] = Array(repeating: [], count: WorkPriority.allCases.count)
    private var heads: [Int] = Array(repeating: 0, count: WorkPriority.allCases.count)
    /// Keys waiting in a lane, and which.
    private var queued: [Key: WorkPriority] = [:]
    /// Keys added while processing, with the highest priority asked: queued again by `done`.
    private var readd: [Key: WorkPriority] = [:]
    private var processing: Set<Key> = []
    private var shuttingDown = false

    /// Earliest pending delayed add per key; the deadlines in order; the one task sleeping until the earliest.
    private var waiting: [Key: RuntimeInstant] = [:]
    private var deadlines = Heap<Deadline>()
    private var sleeper: Task<Void, Never>?
    private var sleeperTarget: RuntimeInstant?

    private var getters: [CheckedContinuation<Key?, Never>] = []
    private var drainers: [CheckedContinuation<Void, Never>] = []

    private struct Deadline: Comparable {
        var at: RuntimeInstant
        var key: Key
        static func < (a: Deadline, b: Deadline) -> Bool { a.at < b.at }
        static func == (a: Deadline, b: Deadline) -> Bool { a.at == b.at && a.key == b.key }
    }

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

    /// Adds `key` now at `priority`. Ignored after shutdown; collapses with a waiting duplicate (a normal add
    /// moves a key waiting at low priority up).
    public func add(_ key: Key, priority: WorkPriority = .normal) {
        guard !shuttingDown else { return }
        if processing.contains(key) {
            readd[key] = max(readd[key] ?? priority, priority)
            return
        }
        if let lane = queued[key] {
            guard priority > lane else { return }
            enqueue(key, priority)
            return
        }
        if let getter = getters.first {
            getters.removeFirst()
            processing.insert(key)
            getter.resume(returning: key)
            return
        }
        enqueue(key, priority)
    }

    private func enqueue(_ key: Key, _ priority: WorkPriority) {
        queued[key] = priority
        lanes[priority.rawValue].append(key)
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
        deadlines.insert(Deadline(at: readyAt, key: key))
        armTimer()
    }

    /// Makes sure a task sleeps until the earliest deadline (the one already sleeping, when it wakes early enough).
    private func armTimer() {
        guard let earliest = deadlines.min?.at else {
            sleeper?.cancel()
            sleeper = nil
            sleeperTarget = nil
            return
        }
        if let target = sleeperTarget, target <= earliest { return }
        sleeper?.cancel()
        sleeperTarget = earliest
        let clock = self.clock
        sleeper = Task {
            do {
                try await clock.sleep(until: earliest)
            } catch {
                return
            }
            await self.fireDue(target: earliest)
        }
    }

    /// The sleeper for `target` woke: every deadline passed adds its key (unless a later add replaced it by an
    /// earlier one, which added it already), then the next sleeper is armed.
    private func fireDue(target: RuntimeInstant) {
        guard sleeperTarget == target, !shuttingDown else { return }
        sleeper = nil
        sleeperTarget = nil
        let now = clock.now()
        while let next = deadlines.min, next.at <= now {
            deadlines.removeMin()
            guard waiting[next.key] == next.at else { continue }
            waiting[next.key] = nil
            add(next.key)
        }
        armTimer()
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

    /// Waits for the next key (normal lane first) and marks it as processing. Returns `nil` once the queue is
    /// shut down (keys still waiting are dropped: the runtime is level-triggered, the next start re-lists
    /// everything). Callers must call `done(_:)` for every key they get.
    public func get() async -> Key? {
        if shuttingDown { return nil }
        if let key = next() {
            processing.insert(key)
            reportDepth()
            return key
        }
        return await withCheckedContinuation { getters.append($0) }
    }

    /// The first key waiting, normal lane first; nil when none waits.
    private func next() -> Key? {
        for priority in WorkPriority.allCases.reversed() {
            let i = priority.rawValue
            defer { compact(i) }
            while heads[i] < lanes[i].count {
                let key = lanes[i][heads[i]]
                heads[i] += 1
                if queued[key] == priority {
                    queued[key] = nil
                    return key
                }
            }
        }
        return nil
    }

    /// Marks `key` as no longer processing; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if let priority = readd.removeValue(forKey: key), !shuttingDown {
            if let getter = getters.first {
                getters.removeFirst()
                processing.insert(key)
                getter.resume(returning: key)
            } else {
                enqueue(key, priority)
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
        sleeper?.cancel()
        sleeper = nil
        sleeperTarget = nil
        deadlines = Heap()
        waiting.removeAll()
        let getters = self.getters
        self.getters.removeAll()
        for g in getters { g.resume(returning: nil) }
        lanes = Array(repeating: [], count: WorkPriority.allCases.count)
        heads = Array(repeating: 0, count: WorkPriority.allCases.count)
        queued.removeAll()
        readd.removeAll()
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
    public var count: Int { queued.count }
    /// Keys waiting in one lane.
    public func count(_ priority: WorkPriority) -> Int { queued.values.filter { $0 == priority }.count }
    /// Keys currently handed out and not yet `done`.
    public var processingCount: Int { processing.count }
    /// Keys waiting for a delayed add.
    public var delayedCount: Int { waiting.count }
    /// Whether the queue was shut down.
    public var isShuttingDown: Bool { shuttingDown }

    private func compact(_ lane: Int) {
        if heads[lane] > 64, heads[lane] * 2 > lanes[lane].count {
            lanes[lane].removeFirst(heads[lane])
            heads[lane] = 0
        }
    }

    private func reportDepth() {
        metrics.queueDepth(queue: name, depth: count)
    }
}
