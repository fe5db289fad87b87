/// Durations as written on the command line and in Prometheus configuration: `500ms`, `1s`, `1.5s`, `2m`,
/// `1h`; a bare number is seconds.
public enum DurationText {
    /// Parses a number followed by `ms`, `s`, `m` or `h`; nil when malformed, negative or not finite.
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number.isFinite, number >= 0 else { return nil }
            return .milliseconds(Int64((number * scale * 1000).rounded()))
        }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
        return nil
    }

    /// The duration in Prometheus's syntax, in whole milliseconds (`1500ms`) or seconds (`2s`).
    public static func prometheus(_ duration: Duration) -> String {
        let milliseconds = milliseconds(duration)
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
