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
public typealias TextLogHandler = LineLogHandler<TextLineFormat>

/// Human-readable lines (see ``TextLogHandler``).
public struct TextLineFormat: LogLineFormat {
    public init() {}

    public func line(time: Date, label: String, event: LogEvent, metadata merged: Logger.Metadata) -> String {
        var output = "\(LogEncoding.timestamp(time)) \(event.level.rawValue) \(label): \(event.message.description)"
        if let error = event.error {
            output.append(" error=")
            Self.appendValue(.string(String(describing: error)), to: &output)
        }
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            output.append(" \(key)=")
            Self.appendValue(value, to: &output)
        }
        output.append(" [\(event.source)]\n")
        return output
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
