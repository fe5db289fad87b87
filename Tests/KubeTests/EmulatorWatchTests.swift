import Foundation
import KubeJSON
import Testing
@testable import Kube

@Suite struct EmulatorWatchTests {
    @Test func watchFromResourceVersionReceivesEventsInOrder() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.service("before"))
            let rv = try #require(try await client.list(Service.self, namespace: "default").metadata.resourceVersion)
            var s = try await client.create(Fixtures.service("web"))
            s.metadata.labels = ["changed": "yes"]
            _ = try await client.update(s)
            try await client.delete(Service.self, name: "web")

            let events = try await withDeadline(15, "watch events") {
                var seen: [WatchEvent<Service>] = []
                for try await event in client.watch(Service.self, namespace: "default",
                                                    options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: false)) {
                    seen.append(event)
                    if case .deleted = event { break }
                }
                return seen
            }
            #expect(events.map(\.typeName) == ["ADDED", "MODIFIED", "DELETED"])
            #expect(events.compactMap { $0.object?.metadata.name } == ["web", "web", "web"])
            #expect(events[1].object?.metadata.labels?["changed"] == "yes")
            let versions = events.compactMap { $0.object?.metadata.resourceVersion }.compactMap(Int.init)
            #expect(versions == versions.sorted() && Set(versions).count == 3, "resourceVersions increase: \(versions)")
        }
    }

    @Test func watchWithoutResourceVersionStartsWithAddedAndFiltersByLabel() async throws {
        try await withEmulatorClient { _, client in
            var a = Fixtures.service("a")
            a.metadata.labels = ["track": "canary"]
            _ = try await client.create(a)
            _ = try await client.create(Fixtures.service("b"))
            let first = try await withDeadline(15, "initial event") { () async throws -> WatchEvent<Service>? in
                for try await event in client.watch(Service.self, namespace: nil,
                                                    options: WatchOptions(labelSelector: "track=canary", allowWatchBookmarks: false)) {
                    return event
                }
                return nil
            }
            guard case .added(let svc) = first else { Issue.record("expected ADDED, got \(String(describing: first))"); return }
            #expect(svc.metadata.name == "a")
        }
    }

    @Test func bookmarksCarryAResourceVersion() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.service("web"))
            let rv = try #require(try await client.list(Service.self, namespace: "default").metadata.resourceVersion)
            let bookmark = try await withDeadline(15, "a bookmark") { () async throws -> String? in
                for try await event in client.watch(Service.self, namespace: "default", options: WatchOptions(resourceVersion: rv)) {
                    if case .bookmark(let version) = event { return version }
                }
                return nil
            }
            #expect(bookmark.flatMap(Int.init) != nil, "bookmark resourceVersion: \(String(describing: bookmark))")
        }
    }

    @Test func tooOldResourceVersionIsGone() async throws {
        try await withEmulatorClient { _, client in
            let rv = try #require(try await client.list(Service.self, namespace: "default").metadata.resourceVersion)
            _ = try await client.create(Fixtures.service("web"))
            try await client.admin(.post, "expire-watch-window")
            do {
                try await withDeadline(15, "410") {
                    for try await _ in client.watch(Service.self, namespace: "default", options: WatchOptions(resourceVersion: rv)) {}
                }
                Issue.record("expected the watch to fail with 410")
            } catch let e as KubeError {
                guard case .gone(let s) = e else { Issue.record("\(e)"); return }
                #expect(s.code == 410)
                #expect(s.reason == "Expired")
            }
        }
    }

    @Test func droppedWatchEndsCleanly() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.service("web"))
            let count = try await withDeadline(15, "the dropped watch to end") {
                var n = 0
                for try await event in client.watch(Service.self, namespace: "default", options: WatchOptions(allowWatchBookmarks: false)) {
                    n += 1
                    if case .added = event, n == 1 { try await client.admin(.post, "drop-watches") }
                }
                return n
            }
            #expect(count >= 1)
        }
    }

    @Test func serverTimeoutEndsTheWatchCleanly() async throws {
        try await withEmulatorClient { _, client in
            let rv = try #require(try await client.list(Service.self, namespace: "default").metadata.resourceVersion)
            let events = try await withDeadline(15, "the watch to time out") {
                var n = 0
                for try await _ in client.watch(Service.self, namespace: "default",
                                                options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: false, timeoutSeconds: 1)) {
                    n += 1
                }
                return n
            }
            #expect(events == 0)
        }
    }
}

@Suite struct EmulatorFaultTests {
    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.service("web"))
            try await client.admin(.post, "faults", ["path": "/services/web", "verb": "get", "code": 429, "count": 2, "retryAfterSeconds": 0])
            let svc = try await client.get(Service.self, name: "web")
            #expect(svc.metadata.name == "web")
            let pending = try await client.admin(.get, "faults")
            #expect(pending["items"] == [], "both injected 429s were consumed by retries")
        }
    }

    @Test func tooManyRequestsOnPatchIsNotRetried() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.service("web"))
            try await client.admin(.post, "faults", ["path": "/services/web", "verb": "PATCH", "code": 429, "count": 1, "retryAfterSeconds": 0])
            do {
                _ = try await client.patch(Service.self, name: "web", .merge(["metadata": ["labels": ["a": "b"]]]))
                Issue.record("expected 429")
            } catch let e as KubeError {
                guard case .tooManyRequests(let s, let after) = e else { Issue.record("\(e)"); return }
                // The emulator raises Retry-After to at least 1 s, as the real server's priority-and-fairness sends.
                #expect(after == .seconds(1))
                #expect(s.details?.retryAfterSeconds == 1)
            }
        }
    }

    @Test func serverErrorsAreTyped() async throws {
        try await withEmulatorClient { _, client in
            try await client.admin(.post, "faults", ["path": "/services", "verb": "list", "code": 500, "count": 1])
            do {
                _ = try await client.list(Service.self, namespace: "default")
                Issue.record("expected 500")
            } catch let e as KubeError {
                guard case .serverError(500, let s) = e else { Issue.record("\(e)"); return }
                #expect(s.reason == "InternalError")
                #expect(s.message?.contains("injected") == true)
            }
            try await client.admin(.post, "faults", ["path": "/services", "code": 503, "count": 1])
            do {
                _ = try await client.list(Service.self, namespace: "default")
                Issue.record("expected 503")
            } catch let e as KubeError {
                guard case .serverError(503, let s) = e else { Issue.record("\(e)"); return }
                #expect(s.reason == "ServiceUnavailable")
                #expect(e.isRetryable)
            }
        }
    }

    @Test func faultedWatchOpenIsTyped() async throws {
        try await withEmulatorClient { _, client in
            try await client.admin(.post, "faults", ["path": "/services", "verb": "watch", "code": 410, "count": 1])
            do {
                try await withDeadline(15, "faulted watch") {
                    for try await _ in client.watch(Service.self, namespace: "default") {}
                }
                Issue.record("expected 410")
            } catch let e as KubeError {
                guard case .gone = e else { Issue.record("\(e)"); return }
            }
        }
    }
}
