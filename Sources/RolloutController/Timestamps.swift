import Foundation

/// RFC 3339 times as the API writes them: conditions in whole seconds (`metav1.Time`), Fledge's own progress
/// fields with milliseconds.
public enum Timestamps {
    public static func seconds(_ date: Date) -> String {
        format(date, fractional: false)
    }

    public static func millis(_ date: Date) -> String {
        format(date, fractional: true)
    }

    public static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let d = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) { return d }
        return try? Date(text, strategy: .iso8601)
    }

    static func format(_ date: Date, fractional: Bool) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: .gmt)
        if fractional { style = style.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted) }
        return date.formatted(style)
    }
}
