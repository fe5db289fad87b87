/// Computes the values under which an object is indexed (may be empty).
public typealias IndexFunction<Object> = @Sendable (Object) -> [String]

/// Names of the indexes every store maintains.
public enum StoreIndex {
    /// Objects by namespace ("" for cluster-scoped objects).
    public static let namespace = "namespace"
    /// Objects by the UID of each of their owners (from `ownerReferences`).
    public static let ownerUID = "ownerUID"
}

/// The informer's cache of one resource type: a thread-safe, read-only view for
/// reconcilers. Only the informer that owns it writes to it (the write methods are
/// internal to the runtime) — the reader/writer split of kube-rs.
///
/// Reads are synchronous and cheap; they return value copies, so callers can never
/// mutate the cache.
public final class Store<Object: RuntimeObject>: Sendable {
    private struct State {
        var objects: [ObjectKey: Object] = [:]
        /// index name → index value → keys
        var indices: [String: [String: Set<ObjectKey>]] = [:]
    }

    private let state = Locked(State())
    private let indexers: [String: IndexFunction<Object>]

    /// Creates an empty store maintaining the built-in indexes plus `indexers`.
    public init(indexers: [String: IndexFunction<Object>] = [:]) {
        var all = indexers
        all[StoreIndex.namespace] = { [$0.namespace ?? ""] }
        all[StoreIndex.ownerUID] = { $0.ownerReferences.map(\.uid) }
        self.indexers = all
    }

    // MARK: Reading

    /// The object with `key`, if cached.
    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key] }
    }

    /// The object `namespace/name`, if cached.
    public func get(namespace: String?, name: String) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every cached object, ordered by key.
    public func list() -> [Object] {
        state.withLock { s in s.objects.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The cached objects in `namespace`, ordered by key.
    public func list(namespace: String) -> [Object] {
        byIndex(StoreIndex.namespace, namespace)
    }

    /// The cached objects with an owner reference to `uid`, ordered by key.
    public func owned(by uid: String) -> [Object] {
        byIndex(StoreIndex.ownerUID, uid)
    }

    /// The cached objects whose index `name` contains `value`, ordered by key.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        state.withLock { s in
            guard let keys = s.indices[name]?[value] else { return [] }
            return keys.sorted().compactMap { s.objects[$0] }
        }
    }

    /// Every cached key, ordered.
    public func keys() -> [ObjectKey] {
        state.withLock { $0.objects.keys.sorted() }
    }

    /// The number of cached objects.
    public var count: Int { state.withLock { $0.objects.count } }

    // MARK: Writing (informer only)

    /// Inserts or replaces `object`; returns the previous version.
    @discardableResult
    func upsert(_ object: Object) -> Object? {
        let key = ObjectKey(object)
        return state.withLock { s in
            let old = s.objects[key]
            if let old { unindex(old, key: key, in: &s) }
            s.objects[key] = object
            index(object, key: key, in: &s)
            return old
        }
    }

    /// Removes the object with `key`; returns it.
    @discardableResult
    func remove(_ key: ObjectKey) -> Object? {
        state.withLock { s in
            guard let old = s.objects.removeValue(forKey: key) else { return nil }
            unindex(old, key: key, in: &s)
            return old
        }
    }

    /// The changes that turned the store's contents into a new list.
    struct Replacement {
        var added: [Object] = []
        var updated: [(old: Object, new: Object)] = []
        var deleted: [Object] = []
    }

    /// Replaces the whole contents with `objects` and reports what changed. Objects whose
    /// `resourceVersion` is unchanged count as neither added nor updated.
    func replace(with objects: [Object]) -> Replacement {
        state.withLock { s in
            var result = Replacement()
            var fresh: [ObjectKey: Object] = [:]
            for object in objects { fresh[ObjectKey(object)] = object }
            for (key, old) in s.objects.sorted(by: { $0.key < $1.key }) where fresh[key] == nil {
                result.deleted.append(old)
            }
            for (key, new) in fresh.sorted(by: { $0.key < $1.key }) {
                if let old = s.objects[key] {
                    if old.resourceVersion != new.resourceVersion || old.uid != new.uid {
                        result.updated.append((old, new))
                    }
                } else {
                    result.added.append(new)
                }
            }
            s.objects = fresh
            s.indices = [:]
            for (key, object) in fresh { index(object, key: key, in: &s) }
            return result
        }
    }

    private func index(_ object: Object, key: ObjectKey, in s: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                s.indices[name, default: [:]][value, default: []].insert(key)
            }
        }
    }

    private func unindex(_ object: Object, key: ObjectKey, in s: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                s.indices[name]?[value]?.remove(key)
                if s.indices[name]?[value]?.isEmpty == true { s.indices[name]?[value] = nil }
            }
        }
    }
}
