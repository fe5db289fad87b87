import Foundation
import KubeRuntime

/// A `RuntimeClock` that only moves when a test calls `advance(by:)`, so tests of timing
/// (backoff, requeue-after, lease expiry) never wait for real time.
///
/// Starts at offset zero; `wallTime()` is `wallOrigin` plus the elapsed offset.
public final class ManualClock: RuntimeClock, @unchecked Sendable {
    private struct State {
        var now = RuntimeInstant(offset: .zero)
        var sleepers: [UInt64: (deadline: RuntimeInstant, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let lock = NSLock()
    private var state = State()
    private let wallOrigin: Date

    public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.wallOrigin = wallOrigin
    }

    private func locked<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    public func now() -> RuntimeInstant { locked { $0.now } }

    public func wallTime() -> Date {
        let c = now().offset.components
        return wallOrigin.addingTimeInterval(Double(c.seconds) + Double(c.attoseconds) * 1e-18)
    }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try Task.checkCancellation()
        let id: UInt64? = locked { s in
            if deadline <= s.now { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = locked { s in
                    if s.cancelled.remove(id) != nil { return true }
                    s.sleepers[id] = (deadline, c)
                    return false
                }
                if resumeNow { c.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = locked { s in
                if let sleeper = s.sleepers.removeValue(forKey: id) { return sleeper.continuation }
                s.cancelled.insert(id)
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = locked { s in
            s.now = s.now + duration
            let ids = s.sleepers.filter { $0.value.deadline <= s.now }.map(\.key)
            return ids.compactMap { s.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for c in due { c.resume() }
    }

    /// Deadlines of the tasks currently sleeping, earliest first.
    public var sleeperDeadlines: [RuntimeInstant] {
        locked { $0.sleepers.values.map(\.deadline).sorted() }
    }

    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { locked { $0.sleepers.count } }
}
