import Foundation
import Logging

/// Shared pieces of the log handlers: metadata merging, RFC 3339 timestamps and JSON string escaping.
enum LogEncoding {
    /// Handler metadata, overridden by the metadata provider's, overridden by the call's.
    static func merge(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        call: Logger.Metadata?
    ) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let call, !call.isEmpty {
            merged.merge(call) { _, new in new }
        }
        return merged
    }

    /// `2025-01-02T03:04:05.678Z`: UTC, millisecond precision (truncated).
    static func timestamp(_ date: Date) -> String {
        // Round to whole microseconds first so a binary fraction just below a millisecond boundary (…045.678 stored
        // as …045.67799999) still truncates to the millisecond it denotes.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let millis = floorDivide(micros, 1000).quotient
        let (days, msOfDay) = floorDivide(millis, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(ms, 3))Z"
    }

    /// Appends `text` as a quoted JSON string: `"` `\` and control characters escaped, other characters verbatim
    /// (UTF-8), U+2028 and U+2029 escaped so a line stays one line for JavaScript-based readers too.
    static func appendJSONString(_ text: String, to output: inout String) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case "\u{08}": output.append("\\b")
            case "\u{0C}": output.append("\\f")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    output.append("\\u")
                    output.append(pad(Int64(scalar.value), 4, radix: 16))
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output.append("\"")
    }

    /// Appends a metadata value as JSON: strings and string-convertibles as strings, dictionaries as objects
    /// (keys sorted), arrays as arrays.
    static func appendJSONValue(_ value: Logger.MetadataValue, to output: inout String) {
        switch value {
        case .string(let string):
            appendJSONString(string, to: &output)
        case .stringConvertible(let convertible):
            appendJSONString(convertible.description, to: &output)
        case .dictionary(let dictionary):
            output.append("{")
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { output.append(",") }
                appendJSONString(key, to: &output)
                output.append(":")
                if let nested = dictionary[key] { appendJSONValue(nested, to: &output) }
            }
            output.append("}")
        case .array(let array):
            output.append("[")
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(",") }
                appendJSONValue(element, to: &output)
            }
            output.append("]")
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Proleptic Gregorian year, month, day for a count of days since 1970-01-01 (H. Hinnant's algorithm).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int, radix: Int = 10) -> String {
        let digits = String(value, radix: radix, uppercase: false)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
