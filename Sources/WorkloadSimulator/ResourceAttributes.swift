import Foundation

/// The OpenTelemetry resource attributes of a process, as set in `OTEL_RESOURCE_ATTRIBUTES`:
/// `key1=value1,key2=value2`, with `,`, `=` and `%` (and anything else) in keys and values percent-encoded.
///
/// Parsing is lenient like the OpenTelemetry SDKs: a malformed entry (no `=`, an empty key, a bad `%` escape,
/// bytes that are not UTF-8) is skipped and described in ``problems``; the other entries still count. Keys and
/// values are trimmed of surrounding spaces; a key given twice keeps its last value.
public struct ResourceAttributes: Sendable, Equatable {
    /// The attributes, by key.
    public var values: [String: String]
    /// One message per skipped entry.
    public var problems: [String]

    public init(values: [String: String] = [:], problems: [String] = []) {
        self.values = values
        self.problems = problems
    }

    public subscript(key: String) -> String? { values[key] }

    /// Parses the value of `OTEL_RESOURCE_ATTRIBUTES`.
    public init(parsing text: String) {
        self.init()
        for rawEntry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = rawEntry.trimmingSpaces()
            if entry.isEmpty { continue }
            guard let equals = entry.firstIndex(of: "=") else {
                problems.append("entry \"\(entry)\" has no \"=\"; skipped")
                continue
            }
            let rawKey = entry[..<equals].trimmingSpaces()
            let rawValue = entry[entry.index(after: equals)...].trimmingSpaces()
            guard let key = Self.percentDecode(rawKey), let value = Self.percentDecode(rawValue) else {
                problems.append("entry \"\(entry)\" has an invalid percent-encoding; skipped")
                continue
            }
            guard !key.isEmpty else {
                problems.append("entry \"\(entry)\" has an empty key; skipped")
                continue
            }
            values[key] = value
        }
    }

    /// Formats attributes as `OTEL_RESOURCE_ATTRIBUTES` (keys sorted), percent-encoding what must be.
    public static func format(_ values: [String: String]) -> String {
        values.keys.sorted().map { "\(percentEncode($0))=\(percentEncode(values[$0]!))" }.joined(separator: ",")
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the bytes are not UTF-8.
    static func percentDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Escapes `%`, `,`, `=`, spaces and every byte outside printable ASCII.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte > 0x20, byte < 0x7f, byte != UInt8(ascii: "%"), byte != UInt8(ascii: ","), byte != UInt8(ascii: "=") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String { String(self).trimmingCharacters(in: .whitespaces) }
}
