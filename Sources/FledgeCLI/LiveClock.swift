import Foundation

/// The time source of a live analysis: what time it is, and how to wait until a moment.
/// Tests use ``instant``, which never waits.
public struct LiveClock: Sendable {
    public var now: @Sendable () -> Date
    public var sleepUntil: @Sendable (Date) async throws -> Void

    public init(now: @escaping @Sendable () -> Date, sleepUntil: @escaping @Sendable (Date) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    /// Wall-clock time; sleeps with `Task.sleep` (so cancellation ends the wait) until the wall clock
    /// has passed the moment.
    public static let system = LiveClock(now: { Date() }, sleepUntil: { date in
        while true {
            let wait = date.timeIntervalSinceNow
            if wait <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up)) + 1))
        }
    })

    /// A clock stopped at `start` that returns at once from every wait.
    public static func instant(at start: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> LiveClock {
        LiveClock(now: { start }, sleepUntil: { _ in })
    }
}
