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

    /// `metadata.namespace`, nil for cluster-scoped objects.
    var namespace: String? { object["metadata"]?["namespace"]?.stringValue }
}

/// What a watch stream carries: an event, a bookmark, or an error (410 Gone) after which it ends.
enum WatchMessage: Sendable {
    /// One event, shared by every watcher it is delivered to (so each form of it is serialised once).
    case event(SharedEvent)
    case expired(APIError)
    /// Time for a bookmark at this resourceVersion (queued under the lock, so every earlier event precedes it).
    case tick(Int)
}

/// A registered watch: which objects it wants and where to send them.
struct Watcher: Sendable {
    /// nil: every resource (the emulator's own controllers).
    var groupResource: GroupResource?
    /// nil: every namespace (and cluster-scoped objects).
    var namespace: String?
    /// The emulator's own controllers: never dropped by the admin API.
    var isInternal = false
    var continuation: AsyncStream<WatchMessage>.Continuation
}

/// The event history (the watch window) and the registered watchers. Lives inside the store's lock.
///
/// Watchers are indexed by group-resource and namespace, so a write visits only the watchers that can match it
/// (its resource in its namespace, its resource in all namespaces, and watchers of every resource), however
/// many watches are open on other resources or namespaces.
struct WatchHub {
    typealias Continuation = AsyncStream<WatchMessage>.Continuation

    /// Recent events, oldest first.
    private(set) var history: [StoreEvent] = []
    /// Events at or below this resourceVersion are no longer retained: a watch from older gets 410.
    private(set) var compactedThrough: Int = 0
    let capacity: Int
    private var watchers: [Int: Watcher] = [:]
    /// group-resource (nil: any) → namespace (nil: any) → watcher id → where to send.
    private var index: [GroupResource?: [String?: [Int: Continuation]]] = [:]
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
        var message: WatchMessage?
        deliver(event, index[event.groupResource], &message)
        deliver(event, index[nil], &message)
    }

    /// Sends `event` to the watchers of one resource bucket that watch all namespaces or the event's namespace.
    private func deliver(_ event: StoreEvent, _ byNamespace: [String?: [Int: Continuation]]?, _ message: inout WatchMessage?) {
        guard let byNamespace else { return }
        let namespace = event.namespace
        for bucket in [byNamespace[nil], namespace.flatMap { byNamespace[$0] }] {
            guard let targets = bucket, !targets.isEmpty else { continue }
            if message == nil { message = .event(SharedEvent(event)) }
            for continuation in targets.values { continuation.yield(message!) }
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
        return history.filter {
            $0.resourceVersion > resourceVersion && Watcher.matches($0, groupResource: groupResource, namespace: namespace)
        }
    }

    mutating func add(_ watcher: Watcher) -> Int {
        nextID += 1
        watchers[nextID] = watcher
        index[watcher.groupResource, default: [:]][watcher.namespace, default: [:]][nextID] = watcher.continuation
        return nextID
    }

    mutating func remove(_ id: Int) {
        guard let w = watchers.removeValue(forKey: id) else { return }
        unindex(id, w)
        w.continuation.finish()
    }

    private mutating func unindex(_ id: Int, _ w: Watcher) {
        index[w.groupResource]?[w.namespace]?[id] = nil
        if index[w.groupResource]?[w.namespace]?.isEmpty == true { index[w.groupResource]?[w.namespace] = nil }
        if index[w.groupResource]?.isEmpty == true { index[w.groupResource] = nil }
    }

    /// Ends every open watch (admin "drop watches", shutdown); returns how many.
    mutating func dropAll() -> Int {
        let external = watchers.filter { !$0.value.isInternal }
        for (id, w) in external {
            watchers.removeValue(forKey: id)
            unindex(id, w)
            w.continuation.finish()
        }
        return external.count
    }

    /// Open watches (not counting the emulator's own controllers).
    var watcherCount: Int { watchers.values.count { !$0.isInternal } }

    /// Open watches by resource: `(group, resource, namespace or nil for all)` and how many.
    var watcherSummary: [(groupResource: GroupResource, namespace: String?, count: Int)] {
        var counts: [GroupResource: [String?: Int]] = [:]
        for w in watchers.values where !w.isInternal {
            guard let gr = w.groupResource else { continue }
            counts[gr, default: [:]][w.namespace, default: 0] += 1
        }
        return counts.flatMap { gr, byNamespace in byNamespace.map { (gr, $0.key, $0.value) } }
            .sorted { ($0.0.group, $0.0.resource, $0.1 ?? "") < ($1.0.group, $1.0.resource, $1.1 ?? "") }
    }
}

extension Watcher {
    static func matches(_ event: StoreEvent, groupResource: GroupResource?, namespace: String?) -> Bool {
        if let groupResource, groupResource != event.groupResource { return false }
        if let namespace, event.namespace != namespace { return false }
        return true
    }
}
