import FledgeServer
import Logging
import Metrics
import Testing

@Suite("ProcessObservability and health checks")
struct ProcessObservabilityTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func buildsTheServerOverItsOwnRegistryAndStartsNotReady() async throws {
        let observability = try ProcessObservability(
            options: ObservabilityOptions(
                operationsAddress: "127.0.0.1:0",
                readinessChecks: ["informers": "caches not synced"],
                environment: [:]
            ),
            logger: quiet
        )
        #expect(!observability.tracing.isEnabled)
        #expect(observability.services.count == 1)
        Counter(label: "fledge_workqueue_retries_total", factory: observability.metrics.factory).increment()

        try await withRunningServer(observability.server) { url async throws in
            let notReady = try await fetch("\(url)/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.body.contains("[-]informers: caches not synced"))
            observability.readiness.pass("informers")
            #expect(try await fetch("\(url)/readyz").status == 200)
            #expect(try await fetch("\(url)/healthz").status == 200)
            #expect(try await fetch("\(url)/metrics").body.contains("fledge_workqueue_retries_total 1"))
        }
    }

    @Test func tracingIsBuiltWhenTheEnvironmentNamesAnEndpoint() throws {
        let observability = try ProcessObservability(
            options: ObservabilityOptions(
                operationsAddress: "127.0.0.1:0",
                environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"]
            ),
            logger: quiet
        )
        #expect(observability.tracing.isEnabled)
        #expect(observability.services.count == 2)
    }

    @Test func anInvalidOperationsAddressThrows() {
        #expect(throws: ListenAddressError.self) {
            try ProcessObservability(options: ObservabilityOptions(operationsAddress: "localhost"), logger: quiet)
        }
    }

    @Test func healthChecksCombineFlagsAndProbes() {
        let checks = HealthChecks()
        #expect(checks.isHealthy)
        #expect(checks.evaluate().body(endpoint: "readyz") == "ok\n")
        checks.fail("b", reason: "second")
        checks.addProbe("a") { "first" }
        checks.set("c", ok: true, reason: "unused")
        let status = checks.evaluate()
        #expect(status.checkCount == 3)
        #expect(status.failures == [.init(check: "a", reason: "first"), .init(check: "b", reason: "second")])
        #expect(status.body(endpoint: "readyz") == "[-]a: first\n[-]b: second\nreadyz check failed\n")
        checks.remove("a")
        checks.set("b", ok: true, reason: "unused")
        #expect(checks.isHealthy)
    }

    @Test func metricsBackendUsesSecondBucketsFrom1msTo10s() {
        let backend = MetricsBackend()
        #expect(MetricsBackend.durationBucketsSeconds.first == 0.001)
        #expect(MetricsBackend.durationBucketsSeconds.last == 10)
        #expect(backend.factory.defaultValueHistogramBuckets == MetricsBackend.durationBucketsSeconds)
        #expect(backend.factory.defaultDurationHistogramBuckets.first == .milliseconds(1))
        #expect(backend.factory.defaultDurationHistogramBuckets.last == .seconds(10))
        #expect(backend.factory.registry === backend.registry)
    }
}
