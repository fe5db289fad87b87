import BenchSupport
import Foundation

/// One instant read on both clocks, so wall-clock times (what the API and the planner use) convert to the
/// monotonic clock the latencies are measured on.
struct ClockPair: Sendable {
    let wall: Date
    let mono: Int64

    static func now() -> ClockPair { ClockPair(wall: Date(), mono: Nanos.now()) }

    /// The monotonic reading of a wall-clock instant (assuming the wall clock does not jump during the run).
    func mono(of date: Date) -> Int64 { mono + Int64((date.timeIntervalSince(wall) * 1e9).rounded()) }
}
