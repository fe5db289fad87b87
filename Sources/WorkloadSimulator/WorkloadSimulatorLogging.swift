import Logging

/// Logging set-up for the `fledge-workload` executable: everything to stderr, so stdout carries only the
/// `listening on` line.
public enum WorkloadSimulatorLogging {
    /// A level by name (`info`, `debug`, …); nil when unknown.
    public static func level(_ name: String) -> Logger.Level? { Logger.Level(rawValue: name.lowercased()) }

    /// Bootstraps swift-log once, at `level`, to stderr.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
