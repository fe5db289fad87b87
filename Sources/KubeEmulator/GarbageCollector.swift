import KubeJSON

/// The ownerReferences garbage collector: deletes dependents whose owners are all gone (background
/// propagation), and completes foreground deletions once no blocking dependents remain.
final class GarbageCollector: Sendable {
    let store: Store

    init(store: Store) { self.store = store }

    func run() async {
        for await message in store.subscribeAll() {
            guard case .event(let shared) = message else { continue }
            let e = shared.event
            if e.kind == .deleted || e.object["metadata"]?["deletionTimestamp"] != nil {
                sweep()
            }
        }
    }

    /// One pass: repeat until nothing changes (cascades through generations of dependents).
    func sweep() {
        store.withState { s in
            for _ in 0..<16 where Self.pass(&s) {}
        }
    }

    static func pass(_ s: inout ClusterState) -> Bool {
        var changed = false
        for stored in s.owned.sorted() {
            guard let o = s.get(stored) else { continue }
            let gr = stored.groupResource
            let refs = o["metadata"]?["ownerReferences"]?.arrayValue ?? []
            guard !refs.isEmpty else { continue }
            let alive = refs.filter { s.uids[$0["uid"]?.stringValue ?? ""] != nil }
            let key = ObjectKey(namespace: o["metadata"]?["namespace"]?.stringValue ?? "", name: o["metadata"]?["name"]?.stringValue ?? "")
            if alive.isEmpty {
                if o["metadata"]?["deletionTimestamp"] == nil, let type = s.types[gr] {
                    let opts = WriteOptions(type: type, version: type.preferredVersion, namespace: type.namespaced ? key.namespace : nil)
                    _ = try? s.delete(name: key.name, opts, DeleteOptions(propagation: .background))
                    changed = true
                }
            } else if alive.count != refs.count {
                var updated = o
                updated[path: ["metadata", "ownerReferences"]] = .array(alive)
                s.put(gr, updated)
                changed = true
            }
        }
        // Foreground deletions: delete dependents, then release the owner when no blocking dependent is left.
        for stored in s.foregroundDeleting.sorted() {
            guard let o = s.get(stored) else { continue }
            let gr = stored.groupResource
            let finalizers = (o["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard o["metadata"]?["deletionTimestamp"] != nil, finalizers.contains("foregroundDeletion"),
                  let uid = o["metadata"]?["uid"]?.stringValue else { continue }
            let deps = s.dependents(of: uid)
            for (dgr, d) in deps where d["metadata"]?["deletionTimestamp"] == nil {
                guard let type = s.types[dgr] else { continue }
                let ns = d["metadata"]?["namespace"]?.stringValue
                let opts = WriteOptions(type: type, version: type.preferredVersion, namespace: type.namespaced ? ns : nil)
                _ = try? s.delete(name: d["metadata"]?["name"]?.stringValue ?? "", opts, DeleteOptions(propagation: .foreground))
                changed = true
            }
            let blocking = s.dependents(of: uid).filter { _, d in
                (d["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains {
                    $0["uid"]?.stringValue == uid && $0["blockOwnerDeletion"]?.boolValue == true
                }
            }
            if blocking.isEmpty {
                var updated = o
                let rest = finalizers.filter { $0 != "foregroundDeletion" }
                updated[path: ["metadata", "finalizers"]] = rest.isEmpty ? Optional<JSONValue>.none : .array(rest.map { .string($0) })
                let key = ObjectKey(namespace: o["metadata"]?["namespace"]?.stringValue ?? "", name: o["metadata"]?["name"]?.stringValue ?? "")
                if rest.isEmpty { s.purge(gr, key) } else { s.put(gr, updated) }
                changed = true
            }
        }
        return changed
    }
}
