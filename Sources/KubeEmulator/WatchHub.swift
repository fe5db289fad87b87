import KubeJSON

/// One change to one stored object, as watches see it.
public struct StoreEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var kind: Kind
    public var resourceVersion: Int
    public var groupResource: GroupResource
    /// The object after the change (for deletions: the last state, with the deletion's resourceVersion).
    public var object: JSONValue
    /// The object before the change (nil for additions).
    public var oldObject: JSONValue?
}

/// What a watch stream carries: an event, a bookmark, or an error (410 Gone) after which it ends.
enum WatchMessage: Sendable {
    case event(StoreEvent)
    case expired(APIError)
    /// Time for a bookmark at this resourceVersion (queued under the lock, so every earlier event precedes it).
    case tick(Int)
}

/// A registered watch: which objects it wants and where to send them.
struct Watcher: Sendable {
    var groupResource: GroupResource?
    var namespace: String?
    /// The emulator's own controllers: never dropped by the admin API.
    var isInternal = false
    var continuation: AsyncStream<WatchMessage>.Continuation
}

/// The event history (the watch window) and the registered watchers. Lives inside the store's lock.
struct WatchHub {
    /// Recent events, oldest first.
    private(set) var history: [StoreEvent] = []
    /// Events at or below this resourceVersion are no longer retained: a watch from older gets 410.
    private(set) var compactedThrough: Int = 0
    let capacity: Int
    private var watchers: [Int: Watcher] = [:]
    private var nextID = 0

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    mutating func record(_ event: StoreEvent) {
        history.append(event)
        // Keep between `capacity` and 2×`capacity` events: trimming in batches keeps appends amortized O(1).
        if history.count >= 2 * capacity {
            let drop = history.count - capacity
            compactedThrough = history[drop - 1].resourceVersion
            history.removeFirst(drop)
        }
        for (_, w) in watchers where w.matches(event) {
            w.continuation.yield(.event(event))
        }
    }

    /// Forget all history up to `resourceVersion` (admin "expire the watch window").
    mutating func compact(through resourceVersion: Int) {
        compactedThrough = max(compactedThrough, resourceVersion)
        history.removeAll { $0.resourceVersion <= resourceVersion }
    }

    /// Events after `resourceVersion` that match, or nil if that version is outside the window.
    func events(after resourceVersion: Int, groupResource: GroupResource?, namespace: String?) -> [StoreEvent]? {
        if resourceVersion < compactedThrough { return nil }
        let probe = Watcher(groupResource: groupResource, namespace: namespace, isInternal: false, continuation: Self.dummy)
        return history.filter { $0.resourceVersion > resourceVersion && probe.matches($0) }
    }

    mutating func add(_ watcher: Watcher) -> Int {
        nextID += 1
        watchers[nextID] = watcher
        return nextID
    }

    mutating func remove(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every open watch (admin "drop watches").
    mutating func dropAll() -> Int {
        let external = watchers.filter { !$0.value.isInternal }
        for (id, w) in external {
            watchers.removeValue(forKey: id)
            w.continuation.finish()
        }
        return external.count
    }

    var watcherCount: Int { watchers.count }

    private static let dummy: AsyncStream<WatchMessage>.Continuation = AsyncStream<WatchMessage>.makeStream().continuation
}

extension Watcher {
    func matches(_ event: StoreEvent) -> Bool {
        if let groupResource, groupResource != event.groupResource { return false }
        if let namespace, event.object["metadata"]?["namespace"]?.stringValue != namespace { return false }
        return true
    }
}
