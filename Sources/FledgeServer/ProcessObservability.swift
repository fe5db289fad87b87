import Logging
import OTel
import ServiceLifecycle
import Synchronization

/// Everything the controller process needs for observability, built from ``ObservabilityOptions``: logging,
/// the Prometheus metrics backend, OTLP tracing (when configured), the health checks and the operations server.
///
/// The controller's main calls ``bootstrap(_:)`` once, flips ``readiness`` / adds ``liveness`` probes, and puts
/// ``services`` first in its `ServiceGroup` (so tracing shuts down last and flushes the controller's spans).
public struct ProcessObservability: Sendable {
    /// The metrics registry and factory (`/metrics` renders the registry).
    public let metrics: MetricsBackend
    /// The tracing backend (``TracingBackend/disabled`` without an OTLP endpoint).
    public let tracing: TracingBackend
    /// Liveness checks behind `/healthz`; alive while empty.
    public let liveness: Liveness
    /// Readiness checks behind `/readyz`, starting with ``ObservabilityOptions/readinessChecks`` failing.
    public let readiness: Readiness
    /// The operations HTTP server.
    public let server: OperationsServer

    /// The services to run: the tracing exporter's (if any), then the operations server.
    public var services: [any Service] { tracing.services + [server] }

    /// Builds the parts without touching any global state (tests, or a process that bootstraps itself).
    /// - Parameter logger: used by the operations server and swift-otel's diagnostics.
    public init(options: ObservabilityOptions, logger: Logger) throws {
        let address = try ListenAddress(parsing: options.operationsAddress)
        let metrics = MetricsBackend()
        let tracing = try TracingBackend(options: options.tracing, logger: logger.withComponent("otel"))
        let liveness = Liveness()
        let readiness = Readiness(failing: options.readinessChecks)
        self.metrics = metrics
        self.tracing = tracing
        self.liveness = liveness
        self.readiness = readiness
        self.server = OperationsServer(
            address: address,
            registry: metrics.registry,
            liveness: liveness,
            readiness: readiness,
            logger: logger.withComponent("operations-server")
        )
    }

    /// Bootstraps the process-global logging, metrics and tracing systems and builds the rest. Call once per
    /// process; a second call throws ``ProcessObservabilityError/alreadyBootstrapped``. An invalid
    /// ``ObservabilityOptions/operationsAddress`` throws before any global state changes.
    public static func bootstrap(_ options: ObservabilityOptions) throws -> ProcessObservability {
        _ = try ListenAddress(parsing: options.operationsAddress)
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { throw ProcessObservabilityError.alreadyBootstrapped }
        LoggingBackend.bootstrap(
            level: options.logLevel,
            format: options.logFormat,
            sink: options.logSink,
            metadataProvider: options.tracing.isEnabled ? OTel.makeLoggingMetadataProvider() : nil
        )
        let observability = try ProcessObservability(options: options, logger: Logger(label: "fledge.observability"))
        observability.metrics.bootstrapGlobally()
        observability.tracing.bootstrapGlobally()
        return observability
    }

    private static let bootstrapped = Mutex(false)
}

/// Failures of ``ProcessObservability/bootstrap(_:)``.
public enum ProcessObservabilityError: Error, Sendable, Equatable {
    /// The process already bootstrapped its observability.
    case alreadyBootstrapped
}

extension Logger {
    fileprivate func withComponent(_ component: String) -> Logger {
        var logger = self
        logger[metadataKey: "component"] = .string(component)
        return logger
    }
}
