/// Durations as the API writes them: `"30s"`, `"10m"`, `"1h"`, `"1h30m"`, `"500ms"` (Go's `time.Duration`
/// syntax without signs or fractions of units other than the last).
public enum RolloutDuration {
    /// The duration `text` names, or nil when it is not a duration. Zero is allowed ("0s").
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var total: Int64 = 0  // milliseconds
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits), value < 1_000_000_000 else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: return nil
            }
            total += value * scale
        }
        return .milliseconds(total)
    }

    /// `d` written back in the API's syntax: "1h30m", "45s", "250ms".
    public static func format(_ d: Duration) -> String {
        var ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms == 0 { return "0s" }
        var out = ""
        for (unit, scale) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000), ("ms", 1)] where ms >= scale {
            out += "\(ms / scale)\(unit)"
            ms %= scale
        }
        return out
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
