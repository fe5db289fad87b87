extension Informer {
    /// Adds the keys `map` returns for every event to `queue`. For an update, the keys of
    /// both the old and the new object are added (an owner may have changed).
    ///
    /// Keys go to the low lane during the first list and periodic resyncs (``InformerDelivery/isRoutine``) and
    /// for events `priority` calls low; to the normal lane otherwise.
    public func enqueue(
        into queue: WorkQueue<ObjectKey>,
        priority: @escaping @Sendable (InformerEvent<Object>) -> WorkPriority = { _ in .normal },
        map: @escaping @Sendable (Object) -> [ObjectKey]
    ) {
        addHandler { event in
            let lane = InformerDelivery.isRoutine ? WorkPriority.low : priority(event)
            var keys: [ObjectKey] = []
            switch event {
            case .added(let object), .deleted(let object):
                keys = map(object)
            case .updated(let old, let new):
                keys = map(new)
                for key in map(old) where !keys.contains(key) { keys.append(key) }
            }
            for key in keys { await queue.add(key, priority: lane) }
        }
    }

    /// Adds each changed object's own key to `queue` (for the controller's primary type); `priority` picks the
    /// lane of events that are not routine.
    public func enqueueKeys(into queue: WorkQueue<ObjectKey>,
                            priority: @escaping @Sendable (InformerEvent<Object>) -> WorkPriority = { _ in .normal }) {
        enqueue(into: queue, priority: priority) { [ObjectKey($0)] }
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
