import Foundation
import Logging

/// How a ``LineLogHandler`` writes one event as one line.
public protocol LogLineFormat: Sendable {
    init()
    /// The line for `event` (newline included), with the handler's, the provider's and the call's metadata merged.
    func line(time: Date, label: String, event: LogEvent, metadata: Logger.Metadata) -> String
}

/// A swift-log handler writing one line per message to a sink, in a ``LogLineFormat``: the label, level, metadata
/// and provider handling shared by ``JSONLogHandler`` and ``TextLogHandler``.
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
    /// The logger label.
    public let label: String
    /// The level below which `Logger` drops messages.
    public var logLevel: Logger.Level
    /// The handler's own metadata.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (for example the current trace and span IDs), evaluated per message.
    public var metadataProvider: Logger.MetadataProvider?

    private let sink: LogSink
    private let now: @Sendable () -> Date
    private let format = Format()

    /// Creates a handler writing to `sink`; `now` is injectable so tests get fixed timestamps.
    public init(
        label: String,
        level: Logger.Level = .info,
        sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
        self.now = now
    }

    /// Reads or writes one metadata entry.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line.
    public func log(event: LogEvent) {
        sink.write(line(for: event))
    }

    /// The line written for `event`, newline included.
    func line(for event: LogEvent) -> String {
        format.line(time: now(), label: label, event: event,
                    metadata: LogEncoding.merge(handler: metadata, provider: metadataProvider, call: event.metadata))
    }
}
