#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Monotonic nanoseconds, comparable across tasks and threads of this process.
enum Nanos {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func seconds(_ from: Int64, _ to: Int64) -> Double { Double(to - from) / 1e9 }
}

/// One instant read on both clocks, so wall-clock times (what the API and the planner use) convert to the
/// monotonic clock the latencies are measured on.
struct ClockPair: Sendable {
    let wall: Date
    let mono: Int64

    static func now() -> ClockPair { ClockPair(wall: Date(), mono: Nanos.now()) }

    /// The monotonic reading of a wall-clock instant (assuming the wall clock does not jump during the run).
    func mono(of date: Date) -> Int64 { mono + Int64((date.timeIntervalSince(wall) * 1e9).rounded()) }
}
