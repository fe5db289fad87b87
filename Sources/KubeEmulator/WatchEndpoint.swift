import Foundation
import KubeJSON

/// `?watch=true`: a chunked stream of `{"type": ..., "object": ...}` lines.
///
/// Starts from a resourceVersion (replaying the retained window; older gives an ERROR event with a 410 `Expired`
/// Status, like the real server), or with synthetic ADDED events for everything when none is given. Supports
/// label and field selectors (objects moving in or out of the selection become ADDED/DELETED), bookmarks,
/// `timeoutSeconds`, `sendInitialEvents` and Table output.
struct WatchEndpoint {
    let server: APIServer

    func watch(_ request: EmulatorRequest, type: ResourceType, version: String, namespace: String?, name: String?,
               table: Bool, includeObject: String, storage: GroupResource? = nil,
               convert: @escaping @Sendable (JSONValue) -> JSONValue = { $0 }) throws(APIError) -> EmulatorResponse {
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        var fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
        if let name { fields.requirements.append(.init(path: ["metadata", "name"], value: name, negated: false)) }
        let rvText = request.query["resourceVersion"] ?? ""
        let bookmarks = request.query["allowWatchBookmarks"] == "true"
        let sendInitial = request.query["sendInitialEvents"] == "true"
        let timeout = Int(request.query["timeoutSeconds"] ?? "").map { Duration.seconds($0) }
        var startRV: Int? = nil
        if !rvText.isEmpty, rvText != "0" {
            guard let n = Int(rvText) else {
                throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", causes: [
                    .invalid("resourceVersion", .string(rvText), "must be a valid integer"),
                ])
            }
            startRV = n
        }
        let (messages, continuation) = AsyncStream<WatchMessage>.makeStream()
        let gr = storage ?? type.groupResource
        let watcherID: Int = server.store.withState { s in
            if sendInitial || startRV == nil {
                for obj in s.list(gr, namespace: namespace) {
                    continuation.yield(.event(SharedEvent(StoreEvent(kind: .added, resourceVersion: s.resourceVersion,
                                                                     groupResource: gr, object: obj, oldObject: nil))))
                }
                if sendInitial {
                    continuation.yield(.tick(-s.resourceVersion))
                }
            } else if let startRV {
                if let events = s.hub.events(after: startRV, groupResource: gr, namespace: namespace) {
                    for e in events { continuation.yield(.event(SharedEvent(e))) }
                } else {
                    let oldest = s.hub.compactedThrough + 1
                    continuation.yield(.expired(.expired("too old resource version: \(startRV) (\(oldest))")))
                    continuation.finish()
                    return -1
                }
            }
            return s.hub.add(Watcher(groupResource: gr, namespace: namespace, continuation: continuation))
        }
        let store = server.store
        let interval = server.configuration.bookmarkInterval
        let ticker = Task {
            let deadline = timeout.map { ContinuousClock.now + $0 }
            while !Task.isCancelled {
                var sleep = bookmarks ? interval : .seconds(3600)
                if let deadline {
                    let left = deadline - ContinuousClock.now
                    if left <= .zero { continuation.finish(); return }
                    sleep = min(sleep, left)
                }
                try? await Task.sleep(for: sleep)
                if Task.isCancelled { return }
                if bookmarks, deadline.map({ ContinuousClock.now < $0 }) ?? true {
                    store.withState { s in _ = continuation.yield(.tick(s.resourceVersion)) }
                }
            }
        }
        let (chunks, out) = AsyncStream<[UInt8]>.makeStream()
        let encoder = Task {
            var first = true
            for await message in messages {
                var line: JSONValue
                switch message {
                case .expired(let e):
                    line = ["type": "ERROR", "object": e.status]
                case .tick(let rv):
                    let isInitialEnd = rv < 0
                    if !bookmarks && !isInitialEnd { continue }
                    var meta: JSONValue = ["resourceVersion": .string(String(abs(rv)))]
                    if isInitialEnd { meta["annotations"] = ["k8s.io/initial-events-end": "true"] }
                    line = ["type": "BOOKMARK", "object": ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion(version)), "metadata": meta]]
                case .event(let shared):
                    let e = shared.event
                    guard let kind = Self.sentKind(e, labels: labels, fields: fields, convert: convert) else { continue }
                    if table {
                        let obj = ResourceEndpoints.served(convert(e.object), type: type, version: version)
                        let payload = TablePrinter.table(for: type, objects: [obj], resourceVersion: e.object["metadata"]?["resourceVersion"]?.stringValue,
                                                         includeObject: includeObject, includeHeaders: first)
                        first = false
                        line = ["type": .string(kind.rawValue), "object": payload]
                    } else {
                        let key = SharedEvent.LineKey(groupResource: type.groupResource, version: version, kind: kind)
                        out.yield(shared.line(key) {
                            SharedEvent.watchLine(kind: kind.rawValue,
                                                  object: ResourceEndpoints.served(convert(e.object), type: type, version: version))
                        })
                        continue
                    }
                }
                var bytes = JSONWriter.bytes(line)
                bytes.append(10)
                out.yield(bytes)
            }
            out.finish()
        }
        out.onTermination = { _ in
            encoder.cancel()
            ticker.cancel()
            continuation.finish()
            if watcherID >= 0 { store.unregisterLater(watcherID) }
        }
        return .stream(status: 200, headers: [("Content-Type", "application/json")], chunks: chunks)
    }

    /// The event type this watch sends for `e`, or nil when the object is outside its selection before and after
    /// (an object moving into the selection is ADDED, out of it DELETED).
    static func sentKind(_ e: StoreEvent, labels: LabelSelector, fields: FieldSelector,
                         convert: (JSONValue) -> JSONValue) -> StoreEvent.Kind? {
        if labels.isEmpty && fields.requirements.isEmpty { return e.kind }
        func selected(_ o: JSONValue) -> Bool {
            let o = convert(o)
            return labels.matches(object: o) && fields.matches(object: o)
        }
        let matchesNew = selected(e.object)
        let matchesOld = e.oldObject.map(selected) ?? false
        switch e.kind {
        case .added: return matchesNew ? .added : nil
        case .deleted: return matchesOld || matchesNew ? .deleted : nil
        case .modified:
            switch (matchesOld, matchesNew) {
            case (true, true): return .modified
            case (false, true): return .added
            case (true, false): return .deleted
            case (false, false): return nil
            }
        }
    }
}
