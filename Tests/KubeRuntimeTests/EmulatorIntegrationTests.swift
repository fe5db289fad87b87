import Foundation
import Kube
import KubeEmulator
import Logging
import ServiceLifecycle
import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

// The Kube adapters (`KubeListerWatcher`, `KubeLeaseStore`) against the in-process emulator
// over real HTTP. No fixed sleeps: every wait polls a condition with a deadline. Leader
// election runs on the real clock with short lease settings (2 s / 1 s / 0.2 s).

@Suite("EmulatorIntegration", .serialized)
struct EmulatorIntegrationTests {

    // MARK: Informer

    @Test func informerRelistsAfterForced410AndMatchesTheServer() async throws {
        try await withEmulator { emulator, makeClient in
            let client = try makeClient()
            let selector = "suite=relist"
            for name in ["a", "b", "c"] { _ = try await client.create(service(name, suite: "relist")) }
            _ = try await client.create(service("other", suite: "unrelated"))

            let source = CountingListerWatcher(base: KubeListerWatcher<Kube.Service>(
                client: client, namespace: "default", labelSelector: selector))
            let (informer, events, run) = startInformer(source)
            defer { run.cancel() }
            try await waitForSync(informer)
            #expect(Set(informer.store.list().map(\.name)) == ["a", "b", "c"])
            try await expectStoreMatchesServer(informer, client, selector)

            // Open a gap: every watch open fails, then the open watch is dropped.
            try await client.admin(.post, "faults", ["path": "/services", "verb": "watch", "code": 503, "count": 100_000])
            try await client.admin(.post, "drop-watches")
            try await eventually("the informer's reconnect was refused") { try await pendingFaultCount(client) < 100_000 }

            // Changes the informer cannot see: a delete, an update, a create. Then the history goes.
            try await client.delete(Kube.Service.self, name: "b", namespace: "default")
            var a = try await client.get(Kube.Service.self, name: "a", namespace: "default")
            a.metadata.annotations = ["changed": "yes"]
            _ = try await client.update(a)
            _ = try await client.create(service("d", suite: "relist"))
            try await client.admin(.post, "expire-watch-window")
            try await client.admin(.delete, "faults")

            // The watch from the old version gets 410 → re-list → the store equals the server.
            try await eventually("re-listed", timeout: .seconds(20)) {
                source.lists >= 2 && Set(informer.store.list().map(\.name)) == ["a", "c", "d"]
            }
            try await expectStoreMatchesServer(informer, client, selector)
            #expect(informer.store.get(namespace: "default", name: "a")?.metadata.annotations?["changed"] == "yes")
            let delivered = events.withLock { $0 }
            #expect(delivered.contains("deleted b"))
            #expect(delivered.contains("added d"))
            #expect(delivered.contains("updated a"))
            #expect(!delivered.contains { $0.hasSuffix(" other") })
            run.cancel()
            _ = await run.result
        }
    }

    @Test func droppedWatchIsResumedWithoutLosingEvents() async throws {
        try await withEmulator { emulator, makeClient in
            let client = try makeClient()
            let selector = "suite=drop"
            _ = try await client.create(service("s0", suite: "drop"))
            let source = CountingListerWatcher(base: KubeListerWatcher<Kube.Service>(
                client: client, namespace: "default", labelSelector: selector))
            let (informer, _, run) = startInformer(source)
            defer { run.cancel() }
            try await waitForSync(informer)

            try await client.admin(.post, "faults", ["path": "/services", "verb": "watch", "code": 503, "count": 100_000])
            // Right after the first list the informer's watch may not be open yet, so this may drop
            // nothing; either way every (re)connect is now refused, and the next line proves the
            // informer tried and was refused: it is disconnected while the objects are created.
            _ = try await client.admin(.post, "drop-watches")
            try await eventually("the informer's reconnect was refused") { try await pendingFaultCount(client) < 100_000 }

            let names = (1...5).map { "s\($0)" }
            for name in names { _ = try await client.create(service(name, suite: "drop")) }
            try await client.delete(Kube.Service.self, name: "s0", namespace: "default")
            try await client.admin(.delete, "faults")

            try await eventually("all creates seen", timeout: .seconds(20)) {
                Set(informer.store.list().map(\.name)) == Set(names)
            }
            try await expectStoreMatchesServer(informer, client, selector)
            // Resumed from the last resourceVersion: no re-list was needed.
            #expect(source.lists == 1)
            run.cancel()
            _ = await run.result
        }
    }

    // MARK: Leader election

    @Test func leadershipMovesToTheOtherCandidateAfterAGracefulRelease() async throws {
        try await withEmulator { emulator, makeClient in
            let lease = "fledge-handover"
            // A long Lease: a must still hold it when it shuts down (the handover is by release, not by expiry).
            let (a, serviceA) = elector("a", lease: lease, client: try makeClient(), duration: .seconds(30))
            let (b, serviceB) = elector("b", lease: lease, client: try makeClient(), duration: .seconds(30))
            let groupA = ServiceGroup(services: [a], logger: Logger(label: "test"))
            let runA = Task { try await groupA.run() }
            try await eventually("a leads", timeout: .seconds(20)) { a.isLeader && serviceA.isRunning }
            let runB = Task { try await b.run() }
            defer { runB.cancel() }
            try await eventually("b sees a", timeout: .seconds(20)) { b.observedLeader == "a" }
            #expect(!(a.isLeader && b.isLeader))

            await groupA.triggerGracefulShutdown()
            try await runA.value
            #expect(!a.isLeader && !serviceA.isRunning)
            try await eventually("b leads", timeout: .seconds(20)) { b.isLeader && serviceB.isRunning }

            let client = try makeClient()
            let stored = try await client.get(Lease.self, name: lease, namespace: "default")
            #expect(stored.spec?.holderIdentity == "b")
            #expect((stored.spec?.leaseTransitions ?? 0) >= 1)
            #expect(isMicroTime(stored.spec?.renewTime))
            #expect(isMicroTime(stored.spec?.acquireTime))
            // a released the lease (holder cleared, duration 1 s) rather than letting it expire.
            let writes = try await leaseWrites(client, lease)
            #expect(writes.contains { $0.method == "PUT" && $0.holder == nil && $0.duration == 1 })
            runB.cancel()
            _ = await runB.result
        }
    }

    @Test func leadershipMovesAfterExpiryWhenTheLeaderStopsRenewing() async throws {
        try await withEmulator { emulator, makeClient in
            let lease = "fledge-expiry"
            let (a, _) = elector("a", lease: lease, client: try makeClient())
            let (b, serviceB) = elector("b", lease: lease, client: try makeClient())
            let runA = Task { try await a.run() }
            try await eventually("a leads", timeout: .seconds(20)) { a.isLeader }
            let runB = Task { try await b.run() }
            defer { runB.cancel() }
            try await eventually("b sees a", timeout: .seconds(20)) { b.observedLeader == "a" }

            runA.cancel()  // a crash: no release
            _ = await runA.result
            #expect(!a.isLeader)
            try await eventually("b leads after expiry", timeout: .seconds(30)) { b.isLeader && serviceB.isRunning }

            let client = try makeClient()
            let stored = try await client.get(Lease.self, name: lease, namespace: "default")
            #expect(stored.spec?.holderIdentity == "b")
            #expect(stored.spec?.leaseTransitions == 1)
            let writes = try await leaseWrites(client, lease)
            #expect(!writes.contains { $0.holder == nil }, "a hard-cancelled leader must not release")
            runB.cancel()
            _ = await runB.result
        }
    }

    // MARK: Lease store details

    @Test func leaseStoreMapsNotFoundConflictsAndTimes() async throws {
        try await withEmulator { emulator, makeClient in
            let store = KubeLeaseStore(client: try makeClient(), namespace: "default", timeout: .seconds(3))
            #expect(try await store.get(name: "missing") == nil)
            let t = Date(timeIntervalSince1970: 1_795_323_600.123456)  // 2026-11-22T05:00:00.123456Z
            let created = try await store.create(
                name: "l", record: LeaseRecord(holderIdentity: "x", leaseDurationSeconds: 15, acquireTime: t, renewTime: t))
            #expect(created.holderIdentity == "x")
            #expect(abs(created.renewTime!.timeIntervalSince(t)) < 0.000_01)
            await #expect(throws: LeaseStoreError.conflict) {
                _ = try await store.create(name: "l", record: LeaseRecord(holderIdentity: "y", leaseDurationSeconds: 15))
            }
            var next = created
            next.holderIdentity = nil
            let updated = try await store.update(name: "l", record: next)
            #expect(updated.holderIdentity == nil)
            #expect(updated.resourceVersion != created.resourceVersion)
            await #expect(throws: LeaseStoreError.conflict) {
                _ = try await store.update(name: "l", record: created)  // stale resourceVersion
            }
            let raw = try await makeClient().get(Lease.self, name: "l", namespace: "default")
            #expect(raw.spec?.renewTime == "2026-11-22T05:00:00.123456Z")
        }
    }

    @Test func microTimeFormatAndParse() throws {
        let t = Date(timeIntervalSince1970: 1_795_323_600)
        #expect(MicroTime.format(t) == "2026-11-22T05:00:00.000000Z")
        #expect(MicroTime.parse("2026-11-22T05:00:00.000000Z") == t)
        #expect(MicroTime.parse("2026-11-22T05:00:00Z") == t)
        #expect(MicroTime.parse("2026-11-22T06:00:00.5+01:00") == t.addingTimeInterval(0.5))
        #expect(MicroTime.parse("yesterday") == nil)
    }
}

// MARK: - Helpers

/// Starts an emulator, hands out clients for it (each its own HTTP client), shuts all down.
private func withEmulator(
    _ body: (KubeEmulator, @escaping () throws -> KubeClient) async throws -> Void
) async throws {
    var config = EmulatorConfiguration()
    config.createPods = false
    config.bookmarkInterval = .milliseconds(100)
    config.deploymentReadyDelay = .milliseconds(50)
    let emulator = try await KubeEmulator.start(config)
    let clients = Locked([KubeClient]())
    let makeClient = {
        let client = try KubeClient(configuration: ClientConfiguration(server: emulator.url, requestTimeout: .seconds(10)))
        clients.withLock { $0.append(client) }
        return client
    }
    var failure: (any Error)?
    do { try await body(emulator, makeClient) } catch { failure = error }
    for client in clients.withLock({ $0 }) { try? await client.shutdown() }
    await emulator.shutdown()
    if let failure { throw failure }
}

private func service(_ name: String, suite: String) -> Kube.Service {
    Kube.Service(
        metadata: ObjectMeta(name: name, namespace: "default", labels: ["suite": suite]),
        spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", port: 80, targetPort: 8080)]))
}

/// Counts `list()` calls, to tell a re-list from a resumed watch.
struct CountingListerWatcher<Base: ListerWatcher>: ListerWatcher {
    typealias Object = Base.Object
    let base: Base
    private let count = Locked(0)

    init(base: Base) { self.base = base }

    var lists: Int { count.withLock { $0 } }

    func list() async throws -> (items: [Base.Object], resourceVersion: String) {
        count.withLock { $0 += 1 }
        return try await base.list()
    }

    func watch(resourceVersion: String) async throws -> Base.Events {
        try await base.watch(resourceVersion: resourceVersion)
    }
}

/// An informer with short backoffs, a handler recording "added x" / "updated x" / "deleted x", running in a task.
private func startInformer<Source: ListerWatcher>(_ source: Source)
    -> (Informer<Source>, Locked<[String]>, Task<Void, any Error>)
{
    let informer = Informer(name: "it", source: source, initialBackoff: .milliseconds(50), maximumBackoff: .milliseconds(200))
    let events = Locked([String]())
    informer.addHandler { event in
        let line: String
        switch event {
        case .added(let o): line = "added \(o.name)"
        case .updated(_, let o): line = "updated \(o.name)"
        case .deleted(let o): line = "deleted \(o.name)"
        }
        events.withLock { $0.append(line) }
    }
    let run = Task { try await informer.run() }
    return (informer, events, run)
}

private func waitForSync<S>(_ informer: Informer<S>) async throws {
    try await eventually("synced", timeout: .seconds(20)) { informer.hasSynced }
}

/// The cache holds exactly the server's objects, at the server's resourceVersions.
private func expectStoreMatchesServer(_ informer: Informer<CountingListerWatcher<KubeListerWatcher<Kube.Service>>>,
                                      _ client: KubeClient, _ selector: String) async throws {
    let server = try await client.listAll(Kube.Service.self, namespace: "default", options: ListOptions(labelSelector: selector))
    let expected = Set(server.items.map { "\($0.metadata.name ?? "")@\($0.metadata.resourceVersion ?? "")" })
    let cached = Set(informer.store.list().map { "\($0.name)@\($0.resourceVersion)" })
    #expect(cached == expected)
}

/// An elector with a short Lease (`lease`, renew deadline one second less): short enough for a test to wait out an
/// expiry, long enough that a busy machine does not lose a renew by itself; a test that must not lose the Lease
/// while it runs gives a longer one.
private func elector(_ identity: String, lease: String, client: KubeClient,
                     duration: Duration = .seconds(4)) -> (LeaderElector, RecordingService) {
    let service = RecordingService()
    let elector = LeaderElector(
        configuration: LeaderElectionConfiguration(
            leaseName: lease, identity: identity,
            leaseDuration: duration, renewDeadline: duration - .seconds(1), retryPeriod: .milliseconds(300)),
        leaseStore: KubeLeaseStore(client: client, namespace: "default", timeout: .seconds(2)),
        services: [service])
    return (elector, service)
}

private func isMicroTime(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil
}

extension KubeClient {
    /// Calls the emulator's admin API; the answer as Foundation JSON.
    @discardableResult
    fileprivate func admin(_ method: Request.Method, _ action: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let request = Request(method: method, path: "/emulator.fledge.dev/\(action)",
                              headers: ["Content-Type": "application/json", "Accept": "application/json"],
                              body: data, verb: method == .get ? "get" : "create")
        let response = try await send(request)
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }
}

private func pendingFaultCount(_ client: KubeClient) async throws -> Int {
    let items = try await client.admin(.get, "faults")["items"] as? [[String: Any]] ?? []
    return items.compactMap { $0["count"] as? Int }.reduce(0, +)
}

/// The emulator's log of writes to one lease: method, spec.holderIdentity, spec.leaseDurationSeconds.
private func leaseWrites(_ client: KubeClient, _ lease: String) async throws
    -> [(method: String, holder: String?, duration: Int?)]
{
    let items = try await client.admin(.get, "requests")["items"] as? [[String: Any]] ?? []
    return items.compactMap { item in
        guard let path = item["path"] as? String, path.contains("/leases"),
              let body = item["body"] as? [String: Any],
              (body["metadata"] as? [String: Any])?["name"] as? String == lease
        else { return nil }
        let spec = body["spec"] as? [String: Any] ?? [:]
        return (item["method"] as? String ?? "", spec["holderIdentity"] as? String, spec["leaseDurationSeconds"] as? Int)
    }
}
