import Foundation
import Testing

@testable import KubeRuntime
import KubeRuntimeTesting

/// Records what an informer delivers, as short strings ("add a@1", "update a@1→2", "delete b").
final class EventRecorder: Sendable {
    private let events = Locked<[String]>([])

    func attach(to informer: Informer<InMemoryListerWatcher<TestObject>>) {
        informer.addHandler { event in
            let line: String
            switch event {
            case .added(let o): line = "add \(o.name)@\(o.resourceVersion)"
            case .updated(let old, let new): line = "update \(new.name)@\(old.resourceVersion)→\(new.resourceVersion)"
            case .deleted(let o): line = "delete \(o.name)"
            }
            self.events.withLock { $0.append(line) }
        }
    }

    var all: [String] { events.withLock { $0 } }
    func reset() { events.withLock { $0.removeAll() } }
}

@Suite("Informer")
struct InformerTests {
    let source = InMemoryListerWatcher<TestObject>()
    let clock = ManualClock()
    let recorder = EventRecorder()

    func makeInformer(resync: Duration? = nil) -> Informer<InMemoryListerWatcher<TestObject>> {
        let informer = Informer(
            name: "test", source: source,
            indexers: ["data": { [$0.data] }],
            resyncPeriod: resync, clock: clock
        )
        recorder.attach(to: informer)
        return informer
    }

    func names(_ objects: [TestObject]) -> [String] { objects.map(\.name) }

    @Test func initialListFillsTheStoreAndFiresAdds() async throws {
        source.create(TestObject(name: "a", data: "x"))
        source.create(TestObject(namespace: "other", name: "b", data: "x"))
        source.create(TestObject(name: "c", data: "y"))
        let informer = makeInformer()
        #expect(!informer.hasSynced)
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        #expect(informer.hasSynced)
        #expect(informer.store.count == 3)
        #expect(names(informer.store.list(namespace: "default")) == ["a", "c"])
        #expect(names(informer.store.byIndex("data", "x")) == ["a", "b"])
        #expect(informer.store.get(namespace: "other", name: "b")?.resourceVersion == "2")
        #expect(Set(recorder.all) == ["add a@1", "add b@2", "add c@3"])
        #expect(informer.lastResourceVersion == "3")
        run.cancel()
        try await run.value
    }

    @Test func theFirstListAndResyncsAreRoutineAndGoToTheLowLane() async throws {
        source.create(TestObject(name: "a"))
        source.create(TestObject(name: "b"))
        let informer = makeInformer(resync: .seconds(30))
        let queue = WorkQueue<ObjectKey>(name: "t", clock: clock)
        informer.enqueueKeys(into: queue)
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("the list queued") { await queue.count(.low) == 2 }
        for _ in 0..<2 { if let key = await queue.get() { await queue.done(key) } }
        try await eventually("watch open") { source.openWatches == 1 }
        source.update(TestObject(name: "a", data: "changed"))
        try await eventually("the change queued at normal priority") { await queue.count(.normal) == 1 }
        #expect(await queue.get() == ObjectKey(namespace: "default", name: "a"))
        await queue.done(ObjectKey(namespace: "default", name: "a"))
        clock.advance(by: .seconds(30))
        try await eventually("the resync queued at low priority") { await queue.count(.low) == 2 }
        #expect(await queue.count(.normal) == 0)
        run.cancel()
        try await run.value
    }

    @Test func watchEventsUpdateTheStore() async throws {
        source.create(TestObject(name: "a"))
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("watch open") { source.openWatches == 1 }

        source.create(TestObject(name: "b", data: "x"))
        source.update(TestObject(name: "a", data: "x"))
        source.delete(name: "b")
        try await eventually("events applied") { informer.lastResourceVersion == "4" }
        #expect(recorder.all == ["add a@1", "add b@2", "update a@1→3", "delete b"])
        #expect(names(informer.store.list()) == ["a"])
        #expect(names(informer.store.byIndex("data", "x")) == ["a"])
        #expect(informer.store.byIndex("data", "").isEmpty)
        run.cancel()
        try await run.value
    }

    @Test func goneTriggersRelistAndDeliversTheGap() async throws {
        for name in ["a", "b", "c"] { source.create(TestObject(name: name)) }
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("watch open") { source.openWatches == 1 }
        recorder.reset()

        source.simulateGap { gap in
            gap.delete(name: "b")
            gap.update(TestObject(name: "a", data: "changed"))
            gap.create(TestObject(name: "d"))
        }
        try await eventually("re-listed") { source.listCount == 2 && informer.lastResourceVersion == source.currentVersion }
        #expect(informer.store.list() == source.objects)
        #expect(recorder.all == ["delete b", "add d@6", "update a@1→5"])
        // The watch resumes from the new list's version.
        try await eventually("watch reopened") { source.openWatches == 1 }
        #expect(source.watchVersions.last == "6")
        run.cancel()
        try await run.value
    }

    @Test func droppedWatchResumesFromTheLastVersionWithoutLosingEvents() async throws {
        source.create(TestObject(name: "a"))
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("watch open") { source.openWatches == 1 }
        source.update(TestObject(name: "a", data: "1"))
        try await eventually("update seen") { informer.lastResourceVersion == "2" }

        source.dropWatches()
        // Written while the informer may be between watches: the history replays it.
        source.create(TestObject(name: "b"))
        try await eventually("b seen") { informer.store.get(namespace: "default", name: "b") != nil }
        #expect(source.listCount == 1)
        #expect(source.watchVersions == ["1", "2"])
        #expect(recorder.all == ["add a@1", "update a@1→2", "add b@3"])
        #expect(informer.store.list() == source.objects)
        run.cancel()
        try await run.value
    }

    @Test func bookmarksAdvanceTheResumeVersion() async throws {
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("watch open") { source.openWatches == 1 }
        let version = source.bookmark(advancingBy: 7)
        try await eventually("bookmark seen") { informer.lastResourceVersion == version }
        source.dropWatches()
        try await eventually("rewatched") { source.watchVersions.count == 2 }
        #expect(source.watchVersions == ["0", "7"])
        #expect(recorder.all.isEmpty)
        run.cancel()
        try await run.value
    }

    @Test func errorsAreRetriedWithBackoff() async throws {
        source.create(TestObject(name: "a"))
        source.failNextLists(2)
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await eventually("first backoff") { clock.sleeperDeadlines == [RuntimeInstant(offset: .milliseconds(800))] }
        #expect(!informer.hasSynced)
        clock.advance(by: .milliseconds(800))
        try await eventually("second backoff") { clock.sleeperDeadlines == [RuntimeInstant(offset: .milliseconds(800 + 1600))] }
        clock.advance(by: .milliseconds(1600))
        try await informer.waitForSync()
        #expect(source.listCount == 3)

        // A failing watch is retried from the last version, without a re-list.
        try await eventually("watch open") { source.openWatches == 1 }
        source.failWatches()
        try await eventually("watch backoff") { clock.sleeperCount == 1 }
        clock.advance(by: .milliseconds(800))
        try await eventually("watch reopened") { source.watchVersions.count == 2 }
        #expect(source.watchVersions == ["1", "1"])
        #expect(source.listCount == 3)
        run.cancel()
        try await run.value
    }

    @Test func watchRefusedRightAfterAListPausesBeforeRelisting() async throws {
        source.create(TestObject(name: "a"))
        source.refuseWatchesFromCurrentVersion()
        let informer = makeInformer()
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("paused") { clock.sleeperDeadlines == [RuntimeInstant(offset: .milliseconds(800))] }
        #expect(source.listCount == 1)
        clock.advance(by: .milliseconds(800))
        try await eventually("re-listed once more") { source.listCount == 2 && clock.sleeperCount == 1 }
        run.cancel()
        try await run.value
    }

    @Test func resyncRedeliversEveryObject() async throws {
        source.create(TestObject(name: "a"))
        source.create(TestObject(name: "b"))
        let informer = makeInformer(resync: .seconds(30))
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("resync timer") { clock.sleeperDeadlines == [RuntimeInstant(offset: .seconds(30))] }
        recorder.reset()
        clock.advance(by: .seconds(30))
        try await eventually("resynced") { recorder.all.count == 2 }
        #expect(recorder.all == ["update a@1→1", "update b@2→2"])
        run.cancel()
        try await run.value
    }

    @Test func ownedObjectsEnqueueTheirOwnersKey() async throws {
        let queue = WorkQueue<ObjectKey>(name: "rollouts", clock: clock)
        let informer = Informer(name: "deployments", source: source, clock: clock)
        informer.enqueueOwners(ofKind: "Rollout", into: queue)
        let run = Task { try await informer.run() }
        try await informer.waitForSync()
        try await eventually("watch open") { source.openWatches == 1 }

        let owner = OwnerReference(kind: "Rollout", name: "web", uid: "uid-web", controller: true)
        source.create(TestObject(name: "web-stable", ownerReferences: [owner]))
        source.create(TestObject(name: "unowned"))
        source.create(TestObject(name: "other-kind", ownerReferences: [
            OwnerReference(kind: "ReplicaSet", name: "rs", uid: "uid-rs", controller: true)
        ]))
        source.create(TestObject(name: "not-controller", ownerReferences: [
            OwnerReference(kind: "Rollout", name: "api", uid: "uid-api", controller: false)
        ]))
        source.update(TestObject(name: "web-stable", ownerReferences: [owner], data: "x"))
        try await eventually("all seen") { informer.lastResourceVersion == "5" }
        #expect(await queue.count == 1)
        #expect(await queue.get() == ObjectKey(namespace: "default", name: "web"))
        #expect(names(informer.store.owned(by: "uid-web")) == ["web-stable"])
        #expect(names(informer.store.owned(by: "uid-api")) == ["not-controller"])
        run.cancel()
        try await run.value
    }

    @Test func waitForSyncHonoursCancellation() async throws {
        let informer = makeInformer()
        let waiter = Task { try await informer.waitForSync() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
