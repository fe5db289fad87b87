import Foundation
import KubeRuntime

/// A `RuntimeClock` that only moves when a test calls `advance(by:)`.
/// (Test support; belongs in a `KubeRuntimeTesting` module once Package.swift has one.)
final class ManualClock: RuntimeClock, @unchecked Sendable {
    private struct State {
        var now = RuntimeInstant(offset: .zero)
        var sleepers: [UInt64: (deadline: RuntimeInstant, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let lock = NSLock()
    private var state = State()
    private let wallOrigin: Date

    init(wallOrigin: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.wallOrigin = wallOrigin
    }

    private func locked<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    func now() -> RuntimeInstant { locked { $0.now } }

    func wallTime() -> Date { wallOrigin.addingTimeInterval(now().offset.seconds) }

    func sleep(until deadline: RuntimeInstant) async throws {
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
    func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = locked { s in
            s.now = s.now + duration
            let ids = s.sleepers.filter { $0.value.deadline <= s.now }.map(\.key)
            return ids.compactMap { s.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for c in due { c.resume() }
    }

    /// Deadlines of the tasks currently sleeping, earliest first.
    var sleeperDeadlines: [RuntimeInstant] {
        locked { $0.sleepers.values.map(\.deadline).sorted() }
    }

    var sleeperCount: Int { locked { $0.sleepers.count } }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds, failing after a generous real-time deadline.
/// Used only to wait for asynchronous work to settle, never to measure time.
func eventually(
    _ what: String = "condition",
    timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TimedOut(what: what) }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(1))
    }
}
