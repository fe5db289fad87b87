import Foundation
import Logging

/// What the controller process's observability is built from: usually its command-line flags plus the
/// environment (for the `OTEL_*` tracing variables).
public struct ObservabilityOptions: Sendable {
    /// The minimum log level.
    public var logLevel: Logger.Level
    /// The log line format; JSON by default (what a cluster's log pipeline expects).
    public var logFormat: LogFormat
    /// Where log lines go.
    public var logSink: LogSink
    /// Where the operations server (`/metrics`, `/healthz`, `/readyz`) listens, as `host:port`.
    public var operationsAddress: String
    /// Readiness checks that fail from the start, by name with their initial reason (for example
    /// `["informers": "caches not synced"]`), so `/readyz` is 503 until the controller passes them.
    public var readinessChecks: [String: String]
    /// The environment the tracing options are read from.
    public var environment: [String: String]

    /// Creates options; every argument has the production default.
    public init(
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .json,
        logSink: LogSink = .standardError,
        operationsAddress: String = ":8080",
        readinessChecks: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.logSink = logSink
        self.operationsAddress = operationsAddress
        self.readinessChecks = readinessChecks
        self.environment = environment
    }

    /// The tracing options the environment selects.
    public var tracing: TracingOptions { TracingOptions(environment: environment) }
}
