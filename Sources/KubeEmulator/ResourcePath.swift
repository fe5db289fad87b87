/// A parsed resource URL: `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/watch/deployments`, ...
struct ResourcePath: Sendable, Equatable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    var watchPath: Bool

    /// Parses a path below `/api` or `/apis`; nil when it is not a resource path (discovery documents are handled elsewhere).
    init?(_ path: String) {
        var segs = path.split(separator: "/").map(String.init)
        guard let root = segs.first else { return nil }
        if root == "api" {
            guard segs.count >= 3 else { return nil }
            group = ""
            version = segs[1]
            segs.removeFirst(2)
        } else if root == "apis" {
            guard segs.count >= 4 else { return nil }
            group = segs[1]
            version = segs[2]
            segs.removeFirst(3)
        } else {
            return nil
        }
        watchPath = false
        if segs.first == "watch" {
            watchPath = true
            segs.removeFirst()
        }
        namespace = nil
        name = nil
        subresource = nil
        if segs.first == "namespaces", segs.count >= 3, !(group.isEmpty && segs.count == 3 && ["status", "finalize"].contains(segs[2])) {
            namespace = segs[1]
            segs.removeFirst(2)
        }
        guard let r = segs.first, segs.count <= 3 else { return nil }
        resource = r
        if segs.count >= 2 { name = segs[1] }
        if segs.count == 3 { subresource = segs[2] }
    }
}
