import Foundation
import KubeRuntime

/// A `ListerWatcher` backed by memory, for informer and controller tests: one resource type
/// with a resourceVersion counter, an event history that watches replay from, compaction
/// (a watch from before it fails with `ListerWatcherError.gone`), watch drops and failures.
///
/// Writes stamp the object's resourceVersion through the closure given at init, e.g.
/// `InMemoryListerWatcher<Deployment> { $0.metadata.resourceVersion = $1 }`.
public final class InMemoryListerWatcher<Object: RuntimeObject>: ListerWatcher, @unchecked Sendable {
    public typealias Events = AsyncThrowingStream<WatchEvent<Object>, any Error>
    /// The error of lists made to fail with `failNextLists(_:)` and the default of `failWatches(with:)`.
    public struct Injected: Error { public init() {} }

    private struct State {
        var objects: [ObjectKey: Object] = [:]
        var version = 0
        var history: [(version: Int, event: WatchEvent<Object>)] = []
        var compactedVersion = 0
        var watchers: [UInt64: Events.Continuation] = [:]
        var nextWatcherID: UInt64 = 0
        var listCount = 0
        var watchVersions: [String] = []
        var failLists = 0
    }
    private let lock = NSLock()
    private var state = State()
    private let setResourceVersion: @Sendable (inout Object, String) -> Void

    /// `setResourceVersion` writes a resourceVersion into an object.
    public init(setResourceVersion: @escaping @Sendable (inout Object, String) -> Void) {
        self.setResourceVersion = setResourceVersion
    }

    private func locked<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    // MARK: ListerWatcher

    public func list() async throws -> (items: [Object], resourceVersion: String) {
        let result: (items: [Object], resourceVersion: String)? = locked { s in
            s.listCount += 1
            if s.failLists > 0 {
                s.failLists -= 1
                return nil
            }
            return (s.objects.values.sorted { ObjectKey($0) < ObjectKey($1) }, String(s.version))
        }
        guard let result else { throw Injected() }
        return result
    }

    public func watch(resourceVersion: String) async throws -> Events {
        let from = Int(resourceVersion) ?? 0
        let (stream, continuation) = Events.makeStream()
        let ok: Bool = locked { s in
            s.watchVersions.append(resourceVersion)
            if from < s.compactedVersion { return false }
            for entry in s.history where entry.version > from {
                continuation.yield(entry.event)
            }
            s.nextWatcherID += 1
            let id = s.nextWatcherID
            s.watchers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.locked { _ = $0.watchers.removeValue(forKey: id) }
            }
            return true
        }
        guard ok else { throw ListerWatcherError.gone }
        return stream
    }

    // MARK: Mutations

    /// Stores a new object (ADDED), returning it with its resourceVersion.
    @discardableResult
    public func create(_ object: Object) -> Object { write(object, deleted: false) }

    /// Stores a changed object (MODIFIED; ADDED if it did not exist), returning it with its resourceVersion.
    @discardableResult
    public func update(_ object: Object) -> Object { write(object, deleted: false) }

    /// Removes an object (DELETED), returning its last state; nil if there was none.
    @discardableResult
    public func delete(namespace: String? = "default", name: String) -> Object? {
        guard let object = locked({ $0.objects[ObjectKey(namespace: namespace, name: name)] }) else { return nil }
        return write(object, deleted: true)
    }

    private func write(_ object: Object, deleted: Bool, record: Bool = true) -> Object {
        var object = object
        let setResourceVersion = self.setResourceVersion
        let (event, watchers): (WatchEvent<Object>, [Events.Continuation]) = locked { s in
            s.version += 1
            setResourceVersion(&object, String(s.version))
            let key = ObjectKey(object)
            let event: WatchEvent<Object>
            if deleted {
                s.objects[key] = nil
                event = .deleted(object)
            } else {
                event = s.objects[key] == nil ? .added(object) : .modified(object)
                s.objects[key] = object
            }
            guard record else { return (event, []) }
            s.history.append((s.version, event))
            return (event, Array(s.watchers.values))
        }
        for w in watchers { w.yield(event) }
        return object
    }

    /// Applies `changes` while no watch sees them, compacts the history past them and
    /// ends every watch with 410 Gone: the client must re-list to catch up.
    public func simulateGap(_ changes: (GapWriter) -> Void) {
        changes(GapWriter(source: self))
        let watchers: [Events.Continuation] = locked { s in
            s.history.removeAll()
            s.compactedVersion = s.version
            return Array(s.watchers.values)
        }
        for w in watchers { w.finish(throwing: ListerWatcherError.gone) }
    }

    /// Writes that no watch sees (inside ``simulateGap(_:)``).
    public struct GapWriter {
        let source: InMemoryListerWatcher
        public func create(_ object: Object) { _ = source.write(object, deleted: false, record: false) }
        public func update(_ object: Object) { _ = source.write(object, deleted: false, record: false) }
        public func delete(namespace: String? = "default", name: String) {
            if let o = source.objects.first(where: { ObjectKey($0) == ObjectKey(namespace: namespace, name: name) }) {
                _ = source.write(o, deleted: true, record: false)
            }
        }
    }

    /// Ends every open watch normally (like a server-side watch timeout).
    public func dropWatches() {
        let watchers = locked { Array($0.watchers.values) }
        for w in watchers { w.finish() }
    }

    /// Ends every open watch with `error`.
    public func failWatches(with error: any Error = Injected()) {
        let watchers = locked { Array($0.watchers.values) }
        for w in watchers { w.finish(throwing: error) }
    }

    /// Sends a bookmark at the current version to every open watch, after advancing the
    /// version by `steps` (as writes to other resource types would), and returns that version.
    public func bookmark(advancingBy steps: Int = 0) -> String {
        let (version, watchers): (String, [Events.Continuation]) = locked { s in
            s.version += steps
            return (String(s.version), Array(s.watchers.values))
        }
        for w in watchers { w.yield(.bookmark(resourceVersion: version)) }
        return version
    }

    /// Makes every watch from the current version (or older) fail with 410 Gone, as a
    /// misbehaving server whose lists are already too old to watch from would.
    public func refuseWatchesFromCurrentVersion() { locked { $0.compactedVersion = $0.version + 1 } }

    /// Makes the next `n` lists throw ``Injected``.
    public func failNextLists(_ n: Int) { locked { $0.failLists = n } }

    /// The stored objects, sorted by key.
    public var objects: [Object] { locked { $0.objects.values.sorted { ObjectKey($0) < ObjectKey($1) } } }
    /// Lists served (including failed ones).
    public var listCount: Int { locked { $0.listCount } }
    /// The resourceVersion of every watch call, in order.
    public var watchVersions: [String] { locked { $0.watchVersions } }
    public var openWatches: Int { locked { $0.watchers.count } }
    public var currentVersion: String { locked { String($0.version) } }
}
