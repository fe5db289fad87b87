/// One change seen on a watch.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server's progress marker: nothing changed, but the watch has seen everything
    /// up to `resourceVersion`, so a restarted watch may resume from there.
    case bookmark(resourceVersion: String)
}

/// Errors the runtime gives a meaning to. Adapters map the client's errors to these.
public enum ListerWatcherError: Error, Hashable, Sendable {
    /// HTTP 410 Gone / "Expired: too old resource version" — from `watch(resourceVersion:)`
    /// or from an ERROR event inside the watch stream. The informer then re-lists.
    case gone
}

/// Lists and watches one resource type (in one namespace or cluster-wide, with any
/// selectors already applied). This is the seam between the runtime and the Kubernetes
/// client: an adapter implements it on top of the client.
///
/// Contract:
/// - `list()` returns every object (the implementation follows `continue` tokens) and the
///   list's `metadata.resourceVersion`.
/// - `watch(resourceVersion:)` streams changes after that version, with bookmarks allowed
///   (`allowWatchBookmarks=true`). The stream may end normally (server timeout); the
///   informer then watches again from the last version it saw.
/// - Throw `ListerWatcherError.gone` (from the call or from the stream) when the server
///   answers 410 / Expired; the informer re-lists. Any other error is retried with backoff.
public protocol ListerWatcher<Object>: Sendable {
    associatedtype Object: RuntimeObject
    associatedtype Events: AsyncSequence where Events.Element == WatchEvent<Object>

    func list() async throws -> (items: [Object], resourceVersion: String)
    func watch(resourceVersion: String) async throws -> Events
}
