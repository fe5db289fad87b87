import Synchronization

/// Remembers the versions of objects this controller has just replaced, so a reconcile never acts on a cache
/// that has not yet seen its own last write (the "expectations" of Kubernetes controllers).
///
/// After a write that turned version `a` into `b`, the cache still holding `a` is stale: the reconcile is put
/// off until the watch delivers `b` (or anything newer). Seeing any version other than `a` clears the entry.
public final class StaleCacheGuard: Sendable {
    private let replaced = Mutex<[String: String]>([:])

    public init() {}

    /// `object` was at `version` before this controller's write succeeded.
    public func wrote(_ object: String, replacing version: String) {
        guard !version.isEmpty else { return }
        replaced.withLock { $0[object] = version }
    }

    /// Whether the cached `version` of `object` predates this controller's last write to it.
    public func isStale(_ object: String, cachedVersion version: String) -> Bool {
        replaced.withLock { r in
            guard let old = r[object] else { return false }
            if old == version { return true }
            r[object] = nil
            return false
        }
    }

    public func forget(_ object: String) {
        replaced.withLock { $0[object] = nil }
    }
}
