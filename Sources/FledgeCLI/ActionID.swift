import Foundation

/// Fresh ids for `fledge.dev/action`: the time to the second (UTC) and 24 random bits, e.g.
/// `20250314-093005-3fa9c1`, so ids sort by time and two users acting in the same second still differ.
public enum ActionID {
    public static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(now: now, using: &generator)
    }

    public static func make(now: Date, using generator: inout some RandomNumberGenerator) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let random = String(UInt32.random(in: 0..<(1 << 24), using: &generator), radix: 16)
        let hex = String(repeating: "0", count: 6 - random.count) + random
        return "\(String(format: "%04d", c.year ?? 0))\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))-\(hex)"
    }
}
