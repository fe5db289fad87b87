import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// The tracing backend: swift-otel exporting spans over OTLP/HTTP (protobuf) when ``TracingOptions`` enable it,
/// otherwise nothing (the swift-distributed-tracing API stays a no-op).
///
/// Only traces are built here: Fledge keeps its own logging (``LoggingBackend``) and metrics (``MetricsBackend``)
/// backends, so swift-otel's logs and metrics are disabled. Building does not touch global state; the process's
/// main calls ``bootstrapGlobally()``, tests scope ``tracer`` with `withTracer(_:_:)` instead.
public struct TracingBackend: Sendable {
    /// The exporting tracer, or `nil` when tracing is off.
    public let tracer: (any Tracer)?
    /// The services that batch and export spans; run them in the process's `ServiceGroup` (before the services
    /// that create spans, so they shut down last and flush what those services traced).
    public let services: [any Service]

    /// Tracing off: no tracer, no services.
    public static let disabled = TracingBackend(tracer: nil, services: [])

    /// Whether spans are exported.
    public var isEnabled: Bool { tracer != nil }

    private init(tracer: (any Tracer)?, services: [any Service]) {
        self.tracer = tracer
        self.services = services
    }

    /// Builds the backend for `options` (``disabled`` when they name no endpoint).
    ///
    /// swift-otel also applies the process's `OTEL_*` environment variables on top of the configuration built here
    /// (for example `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`).
    /// - Parameter logger: receives swift-otel's diagnostics (export failures and the like).
    public init(options: TracingOptions, logger: Logger = Logger(label: "fledge.otel")) throws {
        guard let endpoint = options.tracesEndpoint else {
            self = .disabled
            return
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = options.serviceName
        configuration.resourceAttributes = options.resourceAttributes
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = endpoint
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        self.init(tracer: backend.factory, services: [backend.service])
    }

    /// Installs ``tracer`` as the global `InstrumentationSystem` instrument. Returns `false` (and changes nothing)
    /// when tracing is off or a `TracingBackend` already did so in this process.
    @discardableResult
    public func bootstrapGlobally() -> Bool {
        guard let tracer else { return false }
        let first = Self.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { InstrumentationSystem.bootstrap(tracer) }
        return first
    }

    private static let bootstrapped = Mutex(false)
}
