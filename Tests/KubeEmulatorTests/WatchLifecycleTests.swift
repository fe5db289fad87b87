import AsyncHTTPClient
import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

/// Watches ending from the client's side and at shutdown, and what the admin API reports about them.
@Suite struct WatchLifecycleTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    func openWatches(_ c: TestClient) async throws -> Int {
        try await c.get("/emulator.fledge.dev/watches").body["count"]?.intValue ?? -1
    }

    @Test func adminAPICountsOpenWatchesByResource() async throws {
        try await withEmulator { _, c in
            #expect(try await openWatches(c) == 0)
            let a = try await c.watch("\(cms)?watch=true&resourceVersion=1&timeoutSeconds=30")
            let b = try await c.watch("/api/v1/secrets?watch=true&resourceVersion=1&timeoutSeconds=30")
            #expect(a.status == 200 && b.status == 200)
            let answer = try await c.get("/emulator.fledge.dev/watches").body
            #expect(answer["count"] == 2)
            let items = answer["items"]?.arrayValue ?? []
            #expect(items.contains(["group": "", "resource": "configmaps", "namespace": "default", "count": 1]))
            #expect(items.contains(["group": "", "resource": "secrets", "namespace": .null, "count": 1]))
        }
    }

    @Test func clientClosingAnIdleWatchRemovesTheWatcher() async throws {
        try await withEmulator { emulator, c in
            let socket = try RawSocket(port: emulator.url.port!)
            try socket.send("GET \(cms)?watch=true&resourceVersion=\(emulator.resourceVersion) HTTP/1.1\r\nHost: emulator\r\n\r\n")
            let head = try socket.read(until: "\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(try await openWatches(c) == 1)
            socket.close()
            // Nothing is written to the watch after the close: the server must notice it by itself (see KeepReadingHandler).
            try await TestClient.eventually(20, "the closed watch is unregistered") { try await openWatches(c) == 0 }
        }
    }

    @Test func injectedThrottlingAlwaysAsksToWaitAtLeastOneSecond() async throws {
        try await withEmulator { _, c in
            for (code, body) in [(429, ["retryAfterSeconds": 0] as JSONValue), (503, [:]), (503, ["retryAfterSeconds": -5])] {
                var fault: JSONValue = ["path": "/configmaps", "code": .number(Double(code))]
                for (k, v) in body.objectValue ?? [:] { fault[k] = v }
                try await c.post("/emulator.fledge.dev/faults", fault)
                let r = try await c.get(cms)
                #expect(r.status == code)
                let seconds = r.headers["Retry-After"].first.flatMap { Int($0) }
                #expect(seconds.map { $0 >= 1 } == true, "\(code) Retry-After: \(r.headers["Retry-After"])")
                #expect((r.body[path: ["details", "retryAfterSeconds"]]?.intValue ?? 0) >= 1)
            }
            try await c.post("/emulator.fledge.dev/faults", ["path": "/configmaps", "code": 429, "retryAfterSeconds": 4])
            #expect(try await c.get(cms).headers["Retry-After"].first == "4")
        }
    }

    @Test func shutdownEndsOpenWatchesCleanly() async throws {
        var config = EmulatorConfiguration()
        config.bookmarkInterval = .milliseconds(50)
        let emulator = try await KubeEmulator.start(config)
        let c = TestClient(emulator)
        var watches: [WatchReader] = []
        for i in 0..<3 {
            let bookmarks = i == 0 ? "&allowWatchBookmarks=true" : ""
            watches.append(try await c.watch("\(cms)?watch=true&resourceVersion=\(emulator.resourceVersion)\(bookmarks)"))
        }
        try await c.post(cms, Objects.configMap("a"))
        #expect(try await watches[1].nextEvent()?["type"] == "ADDED")
        await emulator.shutdown()
        // Each stream ends with its terminating chunk: no reset, no error.
        for w in watches {
            while try await w.next() != nil {}
        }
        #expect(emulator.server.connections.responsesInProgress == 0)
        #expect(emulator.server.connections.openCount == 0)
    }
}

@Suite struct WatchHubTests {
    typealias Stream = AsyncStream<WatchMessage>
    let configMaps = GroupResource(group: "", resource: "configmaps")
    let secrets = GroupResource(group: "", resource: "secrets")
    let namespaces = GroupResource(group: "", resource: "namespaces")

    func event(_ gr: GroupResource, _ namespace: String?, _ name: String) -> StoreEvent {
        var meta: JSONValue = ["name": .string(name)]
        if let namespace { meta["namespace"] = .string(namespace) }
        return StoreEvent(kind: .added, resourceVersion: 1, groupResource: gr, object: ["metadata": meta], oldObject: nil)
    }

    func names(_ stream: Stream) async -> [String] {
        var out: [String] = []
        for await m in stream {
            if case .event(let e) = m { out.append(e.event.object["metadata"]?["name"]?.stringValue ?? "") }
        }
        return out
    }

    @Test func writesReachOnlyWatchersOfTheirResourceAndNamespace() async {
        var hub = WatchHub(capacity: 10)
        let watches: [(GroupResource?, String?)] = [(configMaps, "a"), (configMaps, nil), (secrets, "a"), (nil, nil), (configMaps, "b")]
        var streams: [Stream] = []
        var ids: [Int] = []
        for (gr, ns) in watches {
            let (stream, continuation) = Stream.makeStream()
            streams.append(stream)
            ids.append(hub.add(Watcher(groupResource: gr, namespace: ns, continuation: continuation)))
        }
        hub.record(event(configMaps, "a", "cm-a"))
        hub.record(event(configMaps, "c", "cm-c"))
        hub.record(event(secrets, "b", "s-b"))
        hub.record(event(namespaces, nil, "ns"))
        for id in ids { hub.remove(id) }
        #expect(await names(streams[0]) == ["cm-a"])
        #expect(await names(streams[1]) == ["cm-a", "cm-c"])
        #expect(await names(streams[2]) == [])
        #expect(await names(streams[3]) == ["cm-a", "cm-c", "s-b", "ns"])
        #expect(await names(streams[4]) == [])
        #expect(hub.watcherCount == 0)
    }

    @Test func oneEventIsSharedAndEachLineSerialisedOnce() async throws {
        var hub = WatchHub(capacity: 10)
        let (s1, c1) = Stream.makeStream()
        let (s2, c2) = Stream.makeStream()
        let id1 = hub.add(Watcher(groupResource: configMaps, namespace: nil, continuation: c1))
        let id2 = hub.add(Watcher(groupResource: configMaps, namespace: "a", continuation: c2))
        hub.record(event(configMaps, "a", "x"))
        hub.remove(id1)
        hub.remove(id2)
        var shared: [SharedEvent] = []
        for s in [s1, s2] {
            for await m in s { if case .event(let e) = m { shared.append(e) } }
        }
        #expect(shared.count == 2 && shared[0] === shared[1])
        let key = SharedEvent.LineKey(groupResource: configMaps, version: "v1", kind: .added)
        var made = 0
        let make = { () -> [UInt8] in
            made += 1
            return SharedEvent.watchLine(kind: "ADDED", object: shared[0].event.object)
        }
        let first = shared[0].line(key, make)
        let second = shared[1].line(key, make)
        #expect(made == 1 && first == second)
        #expect(first.last == 10)
        #expect(try JSONValue(parsing: Data(first.dropLast())) == ["type": "ADDED", "object": shared[0].event.object])
    }
}
