import Foundation
import KubeJSON
import Synchronization

/// Namespace ("" for cluster-scoped) and name of a stored object.
public struct ObjectKey: Hashable, Sendable, Comparable {
    public var namespace: String
    public var name: String
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
}

/// A stored object's address.
struct StoredKey: Hashable, Sendable, Comparable {
    var groupResource: GroupResource
    var key: ObjectKey
    static func < (a: StoredKey, b: StoredKey) -> Bool {
        (a.groupResource.group, a.groupResource.resource, a.key) < (b.groupResource.group, b.groupResource.resource, b.key)
    }
}

/// The whole cluster state: served resource types, objects, one resourceVersion counter and the watch window.
struct ClusterState {
    var resourceVersion = 0
    var types: [GroupResource: ResourceType] = [:]
    var objects: [GroupResource: [ObjectKey: JSONValue]] = [:]
    var hub: WatchHub
    /// Every object's uid (for the garbage collector).
    private(set) var uids: [String: StoredKey] = [:]
    /// Objects that have ownerReferences.
    private(set) var owned: Set<StoredKey> = []
    /// Objects being deleted in the foreground.
    private(set) var foregroundDeleting: Set<StoredKey> = []

    private mutating func index(_ stored: StoredKey, old: JSONValue?, new: JSONValue?) {
        if let u = old?["metadata"]?["uid"]?.stringValue, uids[u] == stored { uids[u] = nil }
        owned.remove(stored)
        foregroundDeleting.remove(stored)
        guard let new else { return }
        if let u = new["metadata"]?["uid"]?.stringValue { uids[u] = stored }
        if !(new["metadata"]?["ownerReferences"]?.arrayValue ?? []).isEmpty { owned.insert(stored) }
        if new["metadata"]?["deletionTimestamp"] != nil,
           (new["metadata"]?["finalizers"]?.arrayValue ?? []).contains("foregroundDeletion") {
            foregroundDeleting.insert(stored)
        }
    }

    func get(_ stored: StoredKey) -> JSONValue? { objects[stored.groupResource]?[stored.key] }

    init(watchWindow: Int) { hub = WatchHub(capacity: watchWindow) }

    /// Resource type by group and plural, singular or short name.
    func type(group: String, resource: String) -> ResourceType? {
        types[GroupResource(group: group, resource: resource)]
    }

    func get(_ gr: GroupResource, _ key: ObjectKey) -> JSONValue? { objects[gr]?[key] }

    /// Objects of a resource, sorted by namespace and name (as etcd lists them), optionally in one namespace.
    func list(_ gr: GroupResource, namespace: String?) -> [JSONValue] {
        guard let all = objects[gr] else { return [] }
        return all.keys.sorted().compactMap { key in
            if let namespace, key.namespace != namespace { return nil }
            return all[key]
        }
    }

    /// Stores `object` (new or changed) with a fresh resourceVersion and tells the watchers.
    @discardableResult
    mutating func put(_ gr: GroupResource, _ object: JSONValue) -> JSONValue {
        var object = object
        let key = ObjectKey(namespace: object["metadata"]?["namespace"]?.stringValue ?? "",
                            name: object["metadata"]?["name"]?.stringValue ?? "")
        resourceVersion += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let old = objects[gr]?[key]
        objects[gr, default: [:]][key] = object
        index(StoredKey(groupResource: gr, key: key), old: old, new: object)
        hub.record(StoreEvent(kind: old == nil ? .added : .modified, resourceVersion: resourceVersion,
                              groupResource: gr, object: object, oldObject: old))
        return object
    }

    /// Removes an object, with a fresh resourceVersion on the DELETED event.
    @discardableResult
    mutating func remove(_ gr: GroupResource, _ key: ObjectKey) -> JSONValue? {
        guard var old = objects[gr]?.removeValue(forKey: key) else { return nil }
        let previous = old
        index(StoredKey(groupResource: gr, key: key), old: old, new: nil)
        resourceVersion += 1
        old[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        hub.record(StoreEvent(kind: .deleted, resourceVersion: resourceVersion, groupResource: gr, object: old, oldObject: previous))
        return old
    }

    /// Every stored object, with its resource (for the garbage collector).
    func allObjects() -> [(GroupResource, JSONValue)] {
        objects.flatMap { gr, objs in objs.values.map { (gr, $0) } }
    }
}

/// The emulator's single in-memory store, protected by one lock so that every request is atomic.
final class Store: Sendable {
    private let state: Mutex<ClusterState>

    init(watchWindow: Int, types: [ResourceType]) {
        var s = ClusterState(watchWindow: watchWindow)
        for t in types { s.types[t.groupResource] = t }
        state = Mutex(s)
    }

    /// Runs `body` with exclusive access to the cluster state.
    func withState<T: Sendable, E: Error>(_ body: (inout ClusterState) throws(E) -> T) throws(E) -> T {
        try state.withLock { (s: inout ClusterState) throws(E) -> T in try body(&s) }
    }

    /// A stream of every store event from now on (for the emulator's own controllers).
    func subscribeAll() -> AsyncStream<WatchMessage> {
        let (stream, continuation) = AsyncStream<WatchMessage>.makeStream()
        let id = withState { $0.hub.add(Watcher(groupResource: nil, namespace: nil, isInternal: true, continuation: continuation)) }
        continuation.onTermination = { [weak self] _ in self?.unregisterLater(id) }
        return stream
    }

    /// Removes a watcher outside the current lock holder (stream termination may happen while the lock is held).
    func unregisterLater(_ id: Int) {
        Task { [weak self] in self?.withState { $0.hub.remove(id) } }
    }
}
