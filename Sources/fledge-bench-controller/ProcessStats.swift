#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Memory and CPU of this process and of the emulator child, from `/proc` and `getrusage` (Linux).
enum ProcessStats {
    /// `VmRSS` of a process (`self` or a pid) in bytes.
    static func residentBytes(pid: String = "self") -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// Returns free heap memory to the system (glibc keeps freed memory otherwise), so the RSS read after it is
    /// closer to the live size.
    static func trimHeap() {
        // malloc_trim is in <malloc.h>, which the Glibc module does not export: look it up at run time.
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// User + system CPU seconds this process has used.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// User + system CPU seconds of another process, from `/proc/<pid>/stat`.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `/proc/loadavg`'s first three fields.
    static func loadAverage() -> String {
        guard let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return load.split(separator: " ").prefix(3).joined(separator: ", ")
    }
}

/// CPU used by this process (and optionally the emulator) between two instants.
struct CPUWindow: Sendable {
    let start: Int64
    let selfCPU: Double
    let childCPU: Double?
    let pid: Int32?

    static func begin(child pid: Int32?) -> CPUWindow {
        CPUWindow(start: Nanos.now(), selfCPU: ProcessStats.cpuSeconds(), childCPU: pid.flatMap { ProcessStats.cpuSeconds(pid: $0) }, pid: pid)
    }

    /// (wall seconds, this process's CPU as % of one core, the child's CPU as % of one core).
    func end() -> (wall: Double, selfPercent: Double, childPercent: Double?) {
        let wall = Nanos.seconds(start, Nanos.now())
        let me = (ProcessStats.cpuSeconds() - selfCPU) / wall * 100
        var child: Double?
        if let pid, let before = childCPU, let after = ProcessStats.cpuSeconds(pid: pid) { child = (after - before) / wall * 100 }
        return (wall, me, child)
    }
}
