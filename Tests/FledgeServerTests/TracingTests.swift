import FledgeServer
import Logging
import ServiceLifecycle
import Testing
import Tracing

@Suite("Tracing")
struct TracingTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func spansAreExportedOverOTLPHTTPProtobufToACollector() async throws {
        let collector = OTLPCollector()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await collector.run() }
            let port = await collector.boundPort()

            let backend = try TracingBackend(
                options: TracingOptions(
                    environment: [
                        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)",
                        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test%20cluster",
                    ]
                ),
                logger: quiet
            )
            let tracer = try #require(backend.tracer)
            let services = ServiceGroup(services: backend.services, logger: quiet)
            let exporter = Task { try await services.run() }

            // No global bootstrap: the span goes to the task-local tracer, as the controller's `withSpan` calls would.
            withTracer(tracer) {
                withSpan("canary.analysis") { span in
                    span.attributes["canary.service"] = "checkout"
                    span.attributes["canary.version"] = "v2.1.0-canary"
                    span.attributes["canary.decision"] = "promote"
                    span.attributes["canary.checks.error_rate.p_value"] = 0.5
                }
            }

            await services.triggerGracefulShutdown()  // flushes the batch processor before the exporter stops
            try await exporter.value

            let exports = collector.exports
            #expect(exports.count >= 1)
            let body = exports.flatMap(\.body)
            #expect(exports.allSatisfy { $0.contentType == "application/x-protobuf" })
            #expect(body.containsUTF8("canary.analysis"))
            #expect(body.containsUTF8("canary.service"))
            #expect(body.containsUTF8("checkout"))
            #expect(body.containsUTF8("v2.1.0-canary"))
            #expect(body.containsUTF8("fledge-controller"))  // service.name default
            #expect(body.containsUTF8("test cluster"))  // resource attribute, percent-decoded
            group.cancelAll()
        }
    }

    @Test func withoutAnEndpointTracingIsDisabled() throws {
        let backend = try TracingBackend(options: TracingOptions(environment: ["OTEL_SERVICE_NAME": "x"]), logger: quiet)
        #expect(!backend.isEnabled)
        #expect(backend.tracer == nil)
        #expect(backend.services.isEmpty)
        #expect(!backend.bootstrapGlobally())
    }

    @Test func optionsFollowTheOpenTelemetryEnvironment() {
        #expect(TracingOptions(environment: [:]) == TracingOptions(tracesEndpoint: nil))
        #expect(TracingOptions(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"]).tracesEndpoint
            == "http://otel:4318/v1/traces")
        #expect(TracingOptions(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318/base/"]).tracesEndpoint
            == "http://otel:4318/base/v1/traces")
        #expect(TracingOptions(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example/custom",
        ]).tracesEndpoint == "https://traces.example/custom")
        #expect(TracingOptions(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]).tracesEndpoint == nil)
        #expect(TracingOptions(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318", "OTEL_SDK_DISABLED": "true",
        ]).tracesEndpoint == nil)
        #expect(TracingOptions(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318", "OTEL_TRACES_EXPORTER": "none",
        ]).tracesEndpoint == nil)

        #expect(TracingOptions(environment: [:]).serviceName == "fledge-controller")
        #expect(TracingOptions(environment: ["OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs"]).serviceName
            == "from-attrs")
        #expect(TracingOptions(environment: [
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs", "OTEL_SERVICE_NAME": "explicit",
        ]).serviceName == "explicit")
        #expect(TracingOptions(environment: ["OTEL_RESOURCE_ATTRIBUTES": " a = 1 ,b=x%2Cy,broken,=v,c="])
            .resourceAttributes == ["a": "1", "b": "x,y", "c": ""])
    }
}
