#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic nanoseconds, cheap enough to read on every watch chunk, comparable across tasks and threads.
public enum Nanos {
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Seconds between two readings.
    public static func seconds(_ from: Int64, _ to: Int64) -> Double { Double(to - from) / 1e9 }
}
