import KubeJSON
import Synchronization

/// A store event on its way to the watchers, with the watch lines already made from it.
///
/// Every watcher of the same form (served group, resource and version, no Table output) sends the same bytes for
/// the same event type, so the first watcher to need a line serialises it and the others reuse it: a write watched
/// by 1,000 watchers is serialised once, not 1,000 times.
final class SharedEvent: Sendable {
    let event: StoreEvent
    private let lines = Mutex<[LineKey: [UInt8]]>([:])

    /// What a watch line depends on besides the event.
    struct LineKey: Hashable, Sendable {
        /// The served resource (a view such as `events.k8s.io` events differs from its storage).
        var groupResource: GroupResource
        var version: String
        /// The event type sent, which selectors may turn from MODIFIED into ADDED or DELETED.
        var kind: StoreEvent.Kind
    }

    init(_ event: StoreEvent) { self.event = event }

    /// The line for `key`, made by `make` (with `{"type": ..., "object": ...}` and the newline) only the first time.
    func line(_ key: LineKey, _ make: () -> [UInt8]) -> [UInt8] {
        lines.withLock { cache in
            if let line = cache[key] { return line }
            let line = make()
            cache[key] = line
            return line
        }
    }

    /// `{"type":"<kind>","object":<object>}` and a newline, as `JSONWriter` writes that object.
    static func watchLine(kind: String, object: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out += Array(#"{"type":"#.utf8)
        JSONWriter.writeString(kind, into: &out)
        out += Array(#","object":"#.utf8)
        JSONWriter.write(object, into: &out)
        out.append(UInt8(ascii: "}"))
        out.append(10)
        return out
    }
}
