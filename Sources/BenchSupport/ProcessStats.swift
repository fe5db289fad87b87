#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Memory and CPU of this process and of a child process, from `/proc` and `getrusage` (Linux).
public enum ProcessStats {
    /// `VmRSS` of a process (`self` or a pid) in bytes.
    public static func residentBytes(pid: String = "self") -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// Returns free heap memory to the system (glibc keeps freed memory otherwise), so the RSS read after it is
    /// closer to the live size.
    public static func trimHeap() {
        // malloc_trim is in <malloc.h>, which the Glibc module does not export: look it up at run time.
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// User + system CPU seconds this process has used.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// User + system CPU seconds of another process, from `/proc/<pid>/stat`.
    public static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `/proc/loadavg`'s first three fields.
    public static func loadAverage() -> String {
        guard let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return load.split(separator: " ").prefix(3).joined(separator: ", ")
    }
}
