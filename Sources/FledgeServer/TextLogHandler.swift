import Foundation
import Logging

/// A swift-log handler writing human-readable lines for terminals:
///
/// ```
/// 2025-01-02T03:04:05.678Z info fledge.controller: promoted rollout=web weight=100 [RolloutController]
/// ```
///
/// Metadata follows the message as sorted `key=value` pairs; values with blanks, quotes, `=` or control
/// characters are quoted and escaped like JSON strings, dictionaries and arrays are written as JSON.
public struct TextLogHandler: LogHandler {
    /// The logger label.
    public let label: String
    /// The level below which `Logger` drops messages.
    public var logLevel: Logger.Level
    /// The handler's own metadata.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata, evaluated per message.
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

    /// Writes the event as one line.
    public func log(event: LogEvent) {
        var output = "\(LogEncoding.timestamp(now())) \(event.level.rawValue) \(label): \(event.message.description)"
        if let error = event.error {
            output.append(" error=")
            Self.appendValue(.string(String(describing: error)), to: &output)
        }
        let merged = LogEncoding.merge(handler: metadata, provider: metadataProvider, call: event.metadata)
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            output.append(" \(key)=")
            Self.appendValue(value, to: &output)
        }
        output.append(" [\(event.source)]\n")
        sink.write(output)
    }

    private static func appendValue(_ value: Logger.MetadataValue, to output: inout String) {
        let text: String
        switch value {
        case .string(let string): text = string
        case .stringConvertible(let convertible): text = convertible.description
        case .dictionary, .array:
            LogEncoding.appendJSONValue(value, to: &output)
            return
        }
        if text.isEmpty || text.unicodeScalars.contains(where: needsQuoting) {
            LogEncoding.appendJSONString(text, to: &output)
        } else {
            output.append(text)
        }
    }

    private static func needsQuoting(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "=" || scalar.value < 0x21 || scalar.value == 0x7F
            || scalar.properties.isWhitespace
    }
}
