import ArgumentParser

/// A duration on the command line: a sequence of whole numbers with units `ms`, `s`, `m`, `h`,
/// for example `30s`, `10m`, `1h`, `1h30m`, `250ms`.
public struct DurationArgument: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public init?(argument: String) {
        guard let d = Self.parse(argument) else { return nil }
        duration = d
    }

    /// Parses `30s`, `10m`, `1h`, `1h30m`, `250ms`; nil for anything else (a bare number has no unit
    /// and is rejected).
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = Duration.zero
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isASCII && $0.isLetter })
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            default: return nil
            }
        }
        return total
    }

    /// The duration in seconds.
    public var seconds: Double { duration.seconds }

    public var description: String { Self.format(duration) }

    public var defaultValueDescription: String { description }

    /// Formats a duration the way it is parsed: `1h30m`, `45s`, `250ms`.
    public static func format(_ d: Duration) -> String {
        let ms = Int64((d.seconds * 1000).rounded())
        if ms == 0 { return "0s" }
        if ms % 1000 != 0 { return "\(ms)ms" }
        var s = ms / 1000
        var out = ""
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 { out += "\(s)s" }
        return out
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
