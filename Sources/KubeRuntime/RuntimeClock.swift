import Foundation

/// A point on a `RuntimeClock`'s monotonic timeline, measured from the clock's own origin.
public struct RuntimeInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time since the clock's origin.
    public var offset: Duration

    public init(offset: Duration) {
        self.offset = offset
    }

    public static func < (lhs: RuntimeInstant, rhs: RuntimeInstant) -> Bool { lhs.offset < rhs.offset }
    public static func + (lhs: RuntimeInstant, rhs: Duration) -> RuntimeInstant { RuntimeInstant(offset: lhs.offset + rhs) }
    public static func - (lhs: RuntimeInstant, rhs: RuntimeInstant) -> Duration { lhs.offset - rhs.offset }

    public var description: String { "t+\(offset)" }
}

/// The time source of every runtime component (work queue delays, informer backoff and
/// resync, leader election). Production code uses `SystemRuntimeClock`; tests inject a
/// manual clock so that nothing depends on real timing.
public protocol RuntimeClock: Sendable {
    /// The current monotonic instant. Durations (expiry, backoff) are measured with it.
    func now() -> RuntimeInstant
    /// The current wall-clock time, only used for timestamps written to the API (Lease times).
    func wallTime() -> Date
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: RuntimeInstant) async throws
}

extension RuntimeClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}

private let systemClockOrigin = ContinuousClock.now

/// The real clock: `ContinuousClock` for instants and sleeping, `Date()` for wall time.
public struct SystemRuntimeClock: RuntimeClock {
    public init() {}

    public func now() -> RuntimeInstant {
        RuntimeInstant(offset: ContinuousClock.now - systemClockOrigin)
    }

    public func wallTime() -> Date { Date() }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try await Task.sleep(until: systemClockOrigin + deadline.offset, clock: .continuous)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var inSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
