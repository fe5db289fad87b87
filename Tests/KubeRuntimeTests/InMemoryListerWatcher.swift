import Foundation
import KubeRuntime

/// A minimal object for runtime tests.
struct TestObject: RuntimeObject, Hashable {
    var namespace: String?
    var name: String
    var uid: String
    var resourceVersion: String = ""
    var ownerReferences: [OwnerReference] = []
    var data: String = ""

    init(namespace: String? = "default", name: String, uid: String? = nil, ownerReferences: [OwnerReference] = [], data: String = "") {
        self.namespace = namespace
        self.name = name
        self.uid = uid ?? "uid-\(name)"
        self.ownerReferences = ownerReferences
        self.data = data
    }
}

/// An in-memory API for one resource type: a resourceVersion counter, an event history
/// that watches replay from, compaction (→ 410 Gone) and watch drops.
/// (Test support; belongs in a `KubeRuntimeTesting` module once Package.swift has one.)
final class InMemoryListerWatcher: ListerWatcher, @unchecked Sendable {
    typealias Object = TestObject
    typealias Events = AsyncThrowingStream<WatchEvent<TestObject>, any Error>
    struct Injected: Error {}

    private struct State {
        var objects: [ObjectKey: TestObject] = [:]
        var version = 0
        var history: [(version: Int, event: WatchEvent<TestObject>)] = []
        var compactedVersion = 0
        var watchers: [UInt64: Events.Continuation] = [:]
        var nextWatcherID: UInt64 = 0
        var listCount = 0
        var watchVersions: [String] = []
        var failLists = 0
    }
    private let lock = NSLock()
    private var state = State()

    private func locked<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    // MARK: ListerWatcher

    func list() async throws -> (items: [TestObject], resourceVersion: String) {
        let result: (items: [TestObject], resourceVersion: String)? = locked { s in
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

    func watch(resourceVersion: String) async throws -> Events {
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

    @discardableResult
    func create(_ object: TestObject) -> TestObject { write(object, deleted: false) }

    @discardableResult
    func update(_ object: TestObject) -> TestObject { write(object, deleted: false) }

    @discardableResult
    func delete(namespace: String? = "default", name: String) -> TestObject? {
        guard let object = locked({ $0.objects[ObjectKey(namespace: namespace, name: name)] }) else { return nil }
        return write(object, deleted: true)
    }

    private func write(_ object: TestObject, deleted: Bool, record: Bool = true) -> TestObject {
        var object = object
        let (event, watchers): (WatchEvent<TestObject>, [Events.Continuation]) = locked { s in
            s.version += 1
            object.resourceVersion = String(s.version)
            let key = ObjectKey(object)
            let event: WatchEvent<TestObject>
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
    func simulateGap(_ changes: (GapWriter) -> Void) {
        changes(GapWriter(source: self))
        let watchers: [Events.Continuation] = locked { s in
            s.history.removeAll()
            s.compactedVersion = s.version
            return Array(s.watchers.values)
        }
        for w in watchers { w.finish(throwing: ListerWatcherError.gone) }
    }

    struct GapWriter {
        let source: InMemoryListerWatcher
        func create(_ object: TestObject) { _ = source.write(object, deleted: false, record: false) }
        func update(_ object: TestObject) { _ = source.write(object, deleted: false, record: false) }
        func delete(namespace: String? = "default", name: String) {
            if let o = source.objects.first(where: { $0.namespace == namespace && $0.name == name }) {
                _ = source.write(o, deleted: true, record: false)
            }
        }
    }

    /// Ends every open watch normally (like a server-side watch timeout).
    func dropWatches() {
        let watchers = locked { Array($0.watchers.values) }
        for w in watchers { w.finish() }
    }

    /// Ends every open watch with `error`.
    func failWatches(with error: any Error = Injected()) {
        let watchers = locked { Array($0.watchers.values) }
        for w in watchers { w.finish(throwing: error) }
    }

    /// Sends a bookmark at the current version to every open watch, after `changes` that
    /// advance the version without touching objects of this type.
    func bookmark(advancingBy steps: Int = 0) -> String {
        let (version, watchers): (String, [Events.Continuation]) = locked { s in
            s.version += steps
            return (String(s.version), Array(s.watchers.values))
        }
        for w in watchers { w.yield(.bookmark(resourceVersion: version)) }
        return version
    }

    /// Makes every watch from the current version (or older) fail with 410 Gone, as a
    /// misbehaving server whose lists are already too old to watch from would.
    func refuseWatchesFromCurrentVersion() { locked { $0.compactedVersion = $0.version + 1 } }

    func failNextLists(_ n: Int) { locked { $0.failLists = n } }

    var objects: [TestObject] { locked { $0.objects.values.sorted { ObjectKey($0) < ObjectKey($1) } } }
    var listCount: Int { locked { $0.listCount } }
    var watchVersions: [String] { locked { $0.watchVersions } }
    var openWatches: Int { locked { $0.watchers.count } }
    var currentVersion: String { locked { String($0.version) } }
}
