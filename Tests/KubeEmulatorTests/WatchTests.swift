import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct WatchTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    @Test func watchFromResourceVersionSeesLaterEventsInOrder() async throws {
        try await withEmulator { _, c in
            let a = try await c.post(cms, Objects.configMap("a")).body
            let rv = a[path: ["metadata", "resourceVersion"]]!.stringValue!
            try await c.post(cms, Objects.configMap("b"))
            let w = try await c.watch("\(cms)?watch=true&timeoutSeconds=10&resourceVersion=\(rv)")
            #expect(w.status == 200)
            try await c.patch("\(cms)/a", ["data": ["k": "2"]], type: "application/merge-patch+json")
            try await c.delete("\(cms)/b")
            let e1 = try await w.nextEvent()
            #expect(e1?["type"] == "ADDED")
            #expect(e1?[path: ["object", "metadata", "name"]] == "b")
            let e2 = try await w.nextEvent()
            #expect(e2?["type"] == "MODIFIED")
            #expect(e2?[path: ["object", "data", "k"]] == "2")
            let e3 = try await w.nextEvent()
            #expect(e3?["type"] == "DELETED")
            #expect(e3?[path: ["object", "metadata", "name"]] == "b")
            let rvs = [e1, e2, e3].compactMap { $0?[path: ["object", "metadata", "resourceVersion"]]?.stringValue }.compactMap { Int($0) }
            #expect(rvs == rvs.sorted() && Set(rvs).count == 3)
        }
    }

    @Test func watchWithoutVersionStartsWithAddedForExisting() async throws {
        try await withEmulator { _, c in
            try await c.post(cms, Objects.configMap("a"))
            let w = try await c.watch("/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=10")
            let e = try await w.nextEvent()
            #expect(e?["type"] == "ADDED")
            #expect(e?[path: ["object", "metadata", "name"]] == "a")
        }
    }

    @Test func bookmarksCarryOnlyResourceVersion() async throws {
        try await withEmulator { _, c in
            let rv = try await c.get(cms).body[path: ["metadata", "resourceVersion"]]!.stringValue!
            let w = try await c.watch("\(cms)?watch=1&resourceVersion=\(rv)&allowWatchBookmarks=true&timeoutSeconds=10")
            let b = try await w.next()
            #expect(b?["type"] == "BOOKMARK")
            #expect(b?["object"]?["metadata"]?.objectValue?.keys.sorted() == ["resourceVersion"])
            #expect(b?["object"]?["kind"] == "ConfigMap")
        }
    }

    @Test func timeoutEndsTheWatch() async throws {
        try await withEmulator { _, c in
            let w = try await c.watch("\(cms)?watch=true&resourceVersion=1&timeoutSeconds=1")
            while try await w.next() != nil {}
        }
    }

    @Test func tooOldResourceVersionGivesExpiredErrorEvent() async throws {
        try await withEmulator({ $0.watchWindow = 3 }) { _, c in
            for i in 0..<6 { try await c.post(cms, Objects.configMap("c\(i)")) }
            let w = try await c.watch("\(cms)?watch=true&timeoutSeconds=10&resourceVersion=2")
            #expect(w.status == 200)
            let e = try await w.next()
            #expect(e?["type"] == "ERROR")
            #expect(e?[path: ["object", "code"]] == 410)
            #expect(e?[path: ["object", "reason"]] == "Expired")
            #expect(e?[path: ["object", "kind"]] == "Status")
            #expect(try await w.next() == nil)
        }
    }

    @Test func adminExpireForcesGone() async throws {
        try await withEmulator { _, c in
            let rv = try await c.post(cms, Objects.configMap("a")).body[path: ["metadata", "resourceVersion"]]!.stringValue!
            try await c.post(cms, Objects.configMap("b"))
            // Without expiry, a watch from rv would replay "b".
            try await c.send(.POST, "/emulator.fledge.dev/expire-watch-window")
            let w = try await c.watch("\(cms)?watch=true&timeoutSeconds=10&resourceVersion=\(rv)")
            #expect(try await w.next()?[path: ["object", "code"]] == 410)
        }
    }

    @Test func selectorTransitionsBecomeAddedAndDeleted() async throws {
        try await withEmulator { _, c in
            try await c.post(cms, Objects.configMap("a", labels: ["team": "x"]))
            let rv = try await c.get(cms).body[path: ["metadata", "resourceVersion"]]!.stringValue!
            let w = try await c.watch("\(cms)?watch=true&resourceVersion=\(rv)&labelSelector=team%3Dy&timeoutSeconds=10")
            try await c.patch("\(cms)/a", ["metadata": ["labels": ["team": "y"]]], type: "application/merge-patch+json")
            try await c.patch("\(cms)/a", ["metadata": ["labels": ["team": "z"]]], type: "application/merge-patch+json")
            #expect(try await w.nextEvent()?["type"] == "ADDED")
            #expect(try await w.nextEvent()?["type"] == "DELETED")
        }
    }

    @Test func dropWatchesEndsStreams() async throws {
        try await withEmulator { _, c in
            let w = try await c.watch("\(cms)?watch=true&timeoutSeconds=10&resourceVersion=1")
            let dropped = try await c.send(.POST, "/emulator.fledge.dev/drop-watches").body
            #expect(dropped["dropped"] == 1)
            while try await w.next() != nil {}
        }
    }

    @Test func tableWatchEvents() async throws {
        try await withEmulator { _, c in
            let w = try await c.watch("\(cms)?watch=true&timeoutSeconds=10", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            try await c.post(cms, Objects.configMap("a"))
            let e = try await w.nextEvent()
            #expect(e?[path: ["object", "kind"]] == "Table")
            #expect(e?[path: ["object", "rows"]]?.arrayValue?.first?["cells"]?.arrayValue?.first == "a")
        }
    }
}
