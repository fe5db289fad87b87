extension Informer {
    /// Adds the keys `map` returns for every event to `queue`. For an update, the keys of
    /// both the old and the new object are added (an owner may have changed).
    public func enqueue(
        into queue: WorkQueue<ObjectKey>,
        map: @escaping @Sendable (Object) -> [ObjectKey]
    ) {
        addHandler { event in
            var keys: [ObjectKey] = []
            switch event {
            case .added(let object), .deleted(let object):
                keys = map(object)
            case .updated(let old, let new):
                keys = map(new)
                for key in map(old) where !keys.contains(key) { keys.append(key) }
            }
            for key in keys { await queue.add(key) }
        }
    }

    /// Adds each changed object's own key to `queue` (for the controller's primary type).
    public func enqueueKeys(into queue: WorkQueue<ObjectKey>) {
        enqueue(into: queue) { [ObjectKey($0)] }
    }

    /// Adds the key of each changed object's controlling owner of `kind` to `queue` (for
    /// objects the controller owns, e.g. Deployments owned by a Rollout). Objects without
    /// such a controller reference are ignored. Owners live in the object's namespace.
    public func enqueueOwners(ofKind kind: String, into queue: WorkQueue<ObjectKey>) {
        enqueue(into: queue) { object in
            guard let owner = object.controllerReference, owner.kind == kind else { return [] }
            return [ObjectKey(namespace: object.namespace, name: owner.name)]
        }
    }
}
