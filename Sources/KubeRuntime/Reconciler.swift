/// The one method a controller implements. It gets only the key of the object that
/// changed, reads the current state from the cache, makes the world match the spec and
/// says whether it wants to be called again. A thrown error is retried with per-key
/// exponential backoff by the `Controller` — retries live in that one place.
public protocol Reconciler: Sendable {
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// What a reconcile asks for next.
public enum ReconcileResult: Sendable, Hashable {
    /// Nothing more to do until the object (or something it maps from) changes.
    case done
    /// Reconcile this key again after the given delay (e.g. to poll progress).
    case requeue(after: Duration)
}
