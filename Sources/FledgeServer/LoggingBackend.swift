import Logging
import Synchronization

/// The process's swift-log backend: ``JSONLogHandler`` or ``TextLogHandler`` at a level, writing to a sink.
public enum LoggingBackend {
    /// Makes one handler (no global state); tests use this with their own ``LogSink``.
    public static func makeHandler(
        label: String,
        level: Logger.Level = .info,
        format: LogFormat = .json,
        sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .json: JSONLogHandler(label: label, level: level, sink: sink, metadataProvider: metadataProvider)
        case .text: TextLogHandler(label: label, level: level, sink: sink, metadataProvider: metadataProvider)
        }
    }

    /// Installs the handler as the global `LoggingSystem` backend. Returns `false` (and changes nothing) if
    /// `LoggingBackend` already did so in this process; swift-log allows a single bootstrap per process.
    /// - Parameter metadataProvider: adds contextual metadata to every line, for example
    ///   `OTel.makeLoggingMetadataProvider()` for trace and span IDs.
    @discardableResult
    public static func bootstrap(
        level: Logger.Level = .info,
        format: LogFormat = .json,
        sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Bool {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        LoggingSystem.bootstrap(
            { label, provider in
                makeHandler(label: label, level: level, format: format, sink: sink, metadataProvider: provider)
            },
            metadataProvider: metadataProvider
        )
        return true
    }

    private static let bootstrapped = Mutex(false)
}
