import Logging
import ServiceLifecycle

/// Keeps a `Store` in sync with one resource type and tells handlers about changes.
///
/// - Lists, then watches from the list's resourceVersion (client-go's reflector).
/// - A watch that ends cleanly is restarted from the last resourceVersion seen (events
///   and bookmarks advance it), so no event is lost and nothing is re-listed.
/// - `ListerWatcherError.gone` (410) triggers a re-list; the store is replaced and the
///   difference is delivered (objects missing from the new list as `deleted`).
/// - Other errors are retried with exponential backoff (800 ms doubling to 30 s).
/// - With a `resyncPeriod`, every cached object is re-delivered as `updated(old, new)`
///   with `old == new` each period, so controllers re-check the world.
/// - `hasSynced` / `waitForSync()` tell when the first list is in the store.
///
/// As a `Service`, `run()` runs until graceful shutdown or cancellation.
/// Add handlers before `run()`; a handler added later only sees later changes.
public final class Informer<Source: ListerWatcher>: Service, Sendable {
    public typealias Object = Source.Object
    public typealias Handler = @Sendable (InformerEvent<Object>) async -> Void

    public let name: String
    /// The read-only cache for reconcilers.
    public let store: Store<Object>
    private let source: Source
    private let resyncPeriod: Duration?
    private let initialBackoff: Duration
    private let maximumBackoff: Duration
    private let clock: any RuntimeClock
    private let logger: Logger

    private struct State {
        var handlers: [Handler] = []
        var synced = false
        var resourceVersion: String?
        var syncWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
    }
    private let state = Locked(State())

    /// - Parameters:
    ///   - indexers: custom indexes, in addition to namespace and owner UID.
    ///   - resyncPeriod: how often every cached object is re-delivered; nil for never.
    public init(
        name: String,
        source: Source,
        indexers: [String: IndexFunction<Object>] = [:],
        resyncPeriod: Duration? = nil,
        initialBackoff: Duration = .milliseconds(800),
        maximumBackoff: Duration = .seconds(30),
        clock: any RuntimeClock = SystemRuntimeClock(),
        logger: Logger = Logger(label: "fledge.runtime.informer")
    ) {
        self.name = name
        self.source = source
        self.store = Store(indexers: indexers)
        self.resyncPeriod = resyncPeriod
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.clock = clock
        var logger = logger
        logger[metadataKey: "informer"] = "\(name)"
        self.logger = logger
    }

    // MARK: Handlers and sync state

    /// Registers a handler. Handlers run one after the other, in the informer's task:
    /// keep them cheap (map to keys and add them to a queue).
    public func addHandler(_ handler: @escaping Handler) {
        state.withLock { $0.handlers.append(handler) }
    }

    /// True once the first list has been stored and delivered.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The last resourceVersion seen (from a list, an event or a bookmark).
    public var lastResourceVersion: String? { state.withLock { $0.resourceVersion } }

    /// Waits until `hasSynced`; throws `CancellationError` if the task is cancelled first.
    public func waitForSync() async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome: Bool? = state.withLock { s in
                    if s.synced { return true }
                    if s.cancelledWaiters.remove(id) != nil { return false }
                    s.syncWaiters[id] = c
                    return nil
                }
                switch outcome {
                case true?: c.resume()
                case false?: c.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let c = state.withLock { s in
                if let c = s.syncWaiters.removeValue(forKey: id) { return Optional(c) }
                s.cancelledWaiters.insert(id)
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }

    // MARK: Running

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.runUntilCancelled() }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: the informer simply stops.
        }
        logger.debug("stopped")
    }

    private func runUntilCancelled() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.reflect() }
            if let resyncPeriod {
                group.addTask { try await self.resync(every: resyncPeriod) }
            }
            try await group.waitForAll()
        }
    }

    /// The list-and-watch loop.
    private func reflect() async throws {
        var needsList = true
        var failures = 0
        var watchRefusedAfterList = false
        while true {
            try Task.checkCancellation()
            do {
                watchRefusedAfterList = false
                if needsList {
                    let (items, resourceVersion) = try await source.list()
                    try Task.checkCancellation()
                    await applyList(items, resourceVersion: resourceVersion)
                    needsList = false
                    failures = 0
                    watchRefusedAfterList = true  // until the watch opens
                }
                let from = lastResourceVersion ?? ""
                logger.trace("watching", metadata: ["resourceVersion": "\(from)"])
                let events = try await source.watch(resourceVersion: from)
                watchRefusedAfterList = false
                for try await event in events {
                    try Task.checkCancellation()
                    await apply(event)
                    failures = 0
                }
                // A clean end (server timeout): watch again from the last version seen.
                try Task.checkCancellation()
            } catch is CancellationError {
                throw CancellationError()
            } catch ListerWatcherError.gone {
                try Task.checkCancellation()
                logger.info("resource version too old; re-listing")
                needsList = true
                if watchRefusedAfterList {
                    // The watch was refused as too old straight after a fresh list:
                    // pause before listing again instead of hammering the server.
                    try await clock.sleep(for: backoff(afterFailures: failures))
                }
            } catch {
                try Task.checkCancellation()
                let delay = backoff(afterFailures: failures)
                failures += 1
                logger.warning(
                    "list/watch failed; retrying",
                    metadata: ["error": "\(error)", "delay": "\(delay)", "relist": "\(needsList)"]
                )
                try await clock.sleep(for: delay)
            }
        }
    }

    private func backoff(afterFailures failures: Int) -> Duration {
        var delay = initialBackoff
        for _ in 0..<min(failures, 32) {
            delay = delay * 2
            if delay >= maximumBackoff { return maximumBackoff }
        }
        return min(delay, maximumBackoff)
    }

    private func resync(every period: Duration) async throws {
        var next = clock.now() + period
        while true {
            try await clock.sleep(until: next)
            next = next + period
            guard hasSynced else { continue }
            await InformerDelivery.$isRoutine.withValue(true) {
                for object in store.list() {
                    await deliver(.updated(old: object, new: object))
                }
            }
        }
    }

    // MARK: Applying changes

    private func applyList(_ items: [Object], resourceVersion: String) async {
        let changes = store.replace(with: items)
        state.withLock { $0.resourceVersion = resourceVersion }
        logger.debug(
            "listed",
            metadata: [
                "count": "\(items.count)", "resourceVersion": "\(resourceVersion)",
                "added": "\(changes.added.count)", "updated": "\(changes.updated.count)",
                "deleted": "\(changes.deleted.count)",
            ]
        )
        // The first list is routine (everything is new to this process, nothing is due because of it); a relist
        // after a gap carries the changes the watch missed.
        await InformerDelivery.$isRoutine.withValue(!hasSynced) {
            for object in changes.deleted { await deliver(.deleted(object)) }
            for object in changes.added { await deliver(.added(object)) }
            for (old, new) in changes.updated { await deliver(.updated(old: old, new: new)) }
        }
        // Synced only after the first list was delivered, so handlers' queues are filled.
        let waiters = state.withLock { s in
            s.synced = true
            defer { s.syncWaiters.removeAll() }
            return s.syncWaiters
        }
        for w in waiters.values { w.resume() }
    }

    private func apply(_ event: WatchEvent<Object>) async {
        switch event {
        case .added(let object), .modified(let object):
            setResourceVersion(object.resourceVersion)
            if let old = store.upsert(object) {
                await deliver(.updated(old: old, new: object))
            } else {
                await deliver(.added(object))
            }
        case .deleted(let object):
            setResourceVersion(object.resourceVersion)
            store.remove(ObjectKey(object))
            await deliver(.deleted(object))
        case .bookmark(let resourceVersion):
            setResourceVersion(resourceVersion)
        }
    }

    private func setResourceVersion(_ version: String) {
        guard !version.isEmpty else { return }
        state.withLock { $0.resourceVersion = version }
    }

    private func deliver(_ event: InformerEvent<Object>) async {
        let handlers = state.withLock { $0.handlers }
        for handler in handlers { await handler(event) }
    }
}

/// What kind of delivery an informer handler is running in.
public enum InformerDelivery {
    /// True while the informer delivers its first list or a periodic resync: events that change nothing anyone
    /// is waiting for, which handlers may queue at low priority.
    @TaskLocal public static var isRoutine = false
}
