import BenchSupport

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
