import Foundation
import Logging

/// A swift-log handler writing one JSON object per line:
///
/// ```json
/// {"time":"2025-01-02T03:04:05.678Z","level":"info","logger":"fledge.controller","message":"promoted","rollout":"web","source":"RolloutController"}
/// ```
///
/// Keys in order: `time` (RFC 3339, UTC, milliseconds), `level`, `logger` (the label), `message`, `error` (only when
/// the call passed an error), the metadata flattened to top-level keys in sorted order, then `source` (the module).
/// Metadata strings and string-convertibles are JSON strings, dictionaries objects, arrays arrays. A metadata key
/// that collides with one of the fixed keys is written as `metadata.<key>`.
public struct JSONLogHandler: LogHandler {
    /// The keys the handler itself writes.
    static let reservedKeys: Set<String> = ["time", "level", "logger", "message", "source"]

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

    /// Writes the event as one JSON line.
    public func log(event: LogEvent) {
        sink.write(line(for: event))
    }

    /// The line written for `event`, newline included.
    func line(for event: LogEvent) -> String {
        var output = "{\"time\":"
        LogEncoding.appendJSONString(LogEncoding.timestamp(now()), to: &output)
        output.append(",\"level\":")
        LogEncoding.appendJSONString(event.level.rawValue, to: &output)
        output.append(",\"logger\":")
        LogEncoding.appendJSONString(label, to: &output)
        output.append(",\"message\":")
        LogEncoding.appendJSONString(event.message.description, to: &output)
        var reserved = Self.reservedKeys
        if let error = event.error {
            output.append(",\"error\":")
            LogEncoding.appendJSONString(String(describing: error), to: &output)
            reserved.insert("error")
        }
        let merged = LogEncoding.merge(handler: metadata, provider: metadataProvider, call: event.metadata)
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            output.append(",")
            LogEncoding.appendJSONString(reserved.contains(key) ? "metadata.\(key)" : key, to: &output)
            output.append(":")
            LogEncoding.appendJSONValue(value, to: &output)
        }
        output.append(",\"source\":")
        LogEncoding.appendJSONString(event.source, to: &output)
        output.append("}\n")
        return output
    }
}
