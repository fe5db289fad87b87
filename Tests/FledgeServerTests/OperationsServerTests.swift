import FledgeServer
import Logging
import Metrics
import Synchronization
import Testing

@Suite("OperationsServer over HTTP")
struct OperationsServerTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func metricsEndpointRendersCountersAndHistogramsRecordedThroughSwiftMetrics() async throws {
        let backend = MetricsBackend()
        Counter(label: "fledge_test_decisions_total", dimensions: [("outcome", "promote")], factory: backend.factory)
            .increment(by: 2)
        Counter(label: "fledge_test_decisions_total", dimensions: [("outcome", "rollback")], factory: backend.factory)
            .increment()
        Timer(label: "fledge_test_reconcile_duration_seconds", factory: backend.factory)
            .recordMilliseconds(30)
        Recorder(label: "fledge_test_step_seconds", factory: backend.factory).record(0.2)
        Gauge(label: "fledge_test_workqueue_depth", factory: backend.factory).record(7)
        let server = loopbackServer(backend: backend, readiness: Readiness())

        let response = try await withRunningServer(server) { try await fetch("\($0)/metrics") }

        #expect(response.status == 200)
        #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(response.body.split(separator: "\n").map(String.init))
        #expect(lines.contains("# TYPE fledge_test_decisions_total counter"))
        #expect(lines.contains(#"fledge_test_decisions_total{outcome="promote"} 2"#))
        #expect(lines.contains(#"fledge_test_decisions_total{outcome="rollback"} 1"#))
        #expect(lines.contains("# TYPE fledge_test_reconcile_duration_seconds histogram"))
        #expect(lines.contains(#"fledge_test_reconcile_duration_seconds_bucket{le="0.025"} 0"#))
        #expect(lines.contains(#"fledge_test_reconcile_duration_seconds_bucket{le="0.05"} 1"#))
        #expect(lines.contains(#"fledge_test_reconcile_duration_seconds_bucket{le="10.0"} 1"#))
        #expect(lines.contains(#"fledge_test_reconcile_duration_seconds_bucket{le="+Inf"} 1"#))
        #expect(lines.contains("fledge_test_reconcile_duration_seconds_count 1"))
        #expect(lines.contains("# TYPE fledge_test_step_seconds histogram"))
        #expect(lines.contains(#"fledge_test_step_seconds_bucket{le="0.1"} 0"#))
        #expect(lines.contains(#"fledge_test_step_seconds_bucket{le="0.25"} 1"#))
        #expect(lines.contains("fledge_test_workqueue_depth 7.0"))
    }

    @Test func readyzListsFailingChecksUntilTheyPass() async throws {
        let readiness = Readiness(failing: ["informers": "caches not synced", "leader": "waiting\nfor lease"])
        let server = loopbackServer(readiness: readiness)
        try await withRunningServer(server) { url async throws in
            let failing = try await fetch("\(url)/readyz")
            #expect(failing.status == 503)
            #expect(failing.contentType == "text/plain; charset=utf-8")
            #expect(failing.body == "[-]informers: caches not synced\n[-]leader: waiting for lease\nreadyz check failed\n")

            readiness.pass("informers")
            let oneLeft = try await fetch("\(url)/readyz")
            #expect(oneLeft.status == 503)
            #expect(oneLeft.body == "[-]leader: waiting for lease\nreadyz check failed\n")

            readiness.pass("leader")
            let ready = try await fetch("\(url)/readyz")
            #expect(ready.status == 200)
            #expect(ready.body == "ok\n")

            readiness.fail("informers", reason: "watch restarted")
            let again = try await fetch("\(url)/readyz")
            #expect(again.status == 503)
            #expect(again.body.contains("[-]informers: watch restarted"))
        }
    }

    /// A detail (the replica's role) is shown whether or not the process is ready, and read on every request.
    @Test func readyzShowsDetailsWithoutGatingOnThem() async throws {
        let readiness = Readiness(failing: ["informers": "caches not synced"])
        let leading = Mutex(false)
        readiness.addDetail("leader-election") { leading.withLock { $0 } ? "leader" : "follower" }
        let server = loopbackServer(readiness: readiness)
        try await withRunningServer(server) { url async throws in
            let waiting = try await fetch("\(url)/readyz")
            #expect(waiting.status == 503)
            #expect(waiting.body == "[-]informers: caches not synced\nleader-election: follower\nreadyz check failed\n")
            readiness.pass("informers")
            let follower = try await fetch("\(url)/readyz")
            #expect(follower.status == 200)
            #expect(follower.body == "ok\nleader-election: follower\n")
            leading.withLock { $0 = true }
            #expect(try await fetch("\(url)/readyz").body == "ok\nleader-election: leader\n")
        }
    }

    @Test func healthzFollowsLivenessProbes() async throws {
        let workersAlive = Mutex(true)
        let liveness = Liveness()
        liveness.addProbe("workers") { workersAlive.withLock { $0 } ? nil : "worker loop exited" }
        let server = loopbackServer(liveness: liveness, readiness: Readiness(failing: ["informers": "not synced"]))
        try await withRunningServer(server) { url async throws in
            let alive = try await fetch("\(url)/healthz")
            #expect(alive.status == 200)
            #expect(alive.body == "ok\n")

            workersAlive.withLock { $0 = false }
            let dead = try await fetch("\(url)/healthz")
            #expect(dead.status == 503)
            #expect(dead.body == "[-]workers: worker loop exited\nhealthz check failed\n")

            workersAlive.withLock { $0 = true }
            #expect(try await fetch("\(url)/healthz").status == 200)
        }
    }

    @Test func unknownPathsAre404() async throws {
        let server = loopbackServer(readiness: Readiness())
        try await withRunningServer(server) { url async throws in
            #expect(try await fetch("\(url)/").status == 404)
            #expect(try await fetch("\(url)/nope").status == 404)
            #expect(try await fetch("\(url)/metrics/extra").status == 404)
        }
    }

    @Test func portZeroBindsAFreePortAndReportsIt() async throws {
        let reported = Mutex<ListeningAddress?>(nil)
        let server = try OperationsServer(
            address: "127.0.0.1:0",
            registry: MetricsBackend().registry,
            readiness: Readiness(),
            logger: logger,
            onListening: { address in reported.withLock { $0 = address } }
        )
        let bound = try await withRunningServer(server) { url async throws in
            let bound = try await server.listening()
            #expect(url == "http://127.0.0.1:\(bound.port)")
            #expect(try await fetch("\(url)/healthz").status == 200)
            return bound
        }
        #expect(bound.port > 0)
        #expect(bound.host == "127.0.0.1")
        #expect(reported.withLock { $0 } == bound)
    }

    @Test func aPortInUseFailsRunAndListening() async throws {
        let first = loopbackServer(readiness: Readiness())
        try await withRunningServer(first) { _ async throws in
            let port = try await first.listening().port
            let second = OperationsServer(
                address: ListenAddress(host: "127.0.0.1", port: port),
                registry: MetricsBackend().registry,
                readiness: Readiness(),
                logger: logger
            )
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { try await second.listening() }
        }
    }

    @Test func anInvalidAddressIsRejected() {
        #expect(throws: ListenAddressError.self) {
            try OperationsServer(address: "nonsense", registry: MetricsBackend().registry, readiness: Readiness())
        }
    }
}

/// An operations server on a free loopback port, as the tests here start it.
private func loopbackServer(backend: MetricsBackend = MetricsBackend(), liveness: Liveness = Liveness(),
                            readiness: Readiness) -> OperationsServer {
    OperationsServer(address: ListenAddress(host: "127.0.0.1", port: 0), registry: backend.registry, liveness: liveness,
                     readiness: readiness, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
}
