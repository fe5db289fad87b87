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
public typealias JSONLogHandler = LineLogHandler<JSONLineFormat>

/// One JSON object per line (see ``JSONLogHandler``).
public struct JSONLineFormat: LogLineFormat {
    /// The keys the handler itself writes.
    static let reservedKeys: Set<String> = ["time", "level", "logger", "message", "source"]

    public init() {}

    public func line(time: Date, label: String, event: LogEvent, metadata merged: Logger.Metadata) -> String {
        var output = "{\"time\":"
        LogEncoding.appendJSONString(LogEncoding.timestamp(time), to: &output)
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
