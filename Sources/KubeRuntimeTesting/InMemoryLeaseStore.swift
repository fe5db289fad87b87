import Foundation
import KubeRuntime

/// A `LeaseStore` in memory, for leader-election tests: resourceVersion preconditions like the
/// API server's (a stale update or a second create is `LeaseStoreError.conflict`), and injectable
/// conflicts, failures and stalls (a call that hangs until its budget runs out on a test clock).
public final class InMemoryLeaseStore: LeaseStore, @unchecked Sendable {
    /// The error of every update after `failAllUpdates(true)` (a transient failure to the elector).
    public struct Unavailable: Error { public init() {} }

    private struct State {
        var leases: [String: LeaseRecord] = [:]
        var version = 0
        var conflictNextUpdates = 0
        var failAllUpdates = false
        var updates = 0
        var stallClock: (any RuntimeClock)?
        var budgets: [Duration] = []
    }
    private let lock = NSLock()
    private var state = State()

    public init() {}

    private func locked<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    public func get(name: String, within budget: Duration) async throws -> LeaseRecord? {
        try await stallIfAsked(budget)
        return locked { $0.leases[name] }
    }

    public func create(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord {
        try locked { s in
            if s.leases[name] != nil { throw LeaseStoreError.conflict }
            s.version += 1
            var stored = record
            stored.resourceVersion = String(s.version)
            s.leases[name] = stored
            return stored
        }
    }

    public func update(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord {
        try await stallIfAsked(budget)
        return try locked { s in
            if s.failAllUpdates { throw Unavailable() }
            if s.conflictNextUpdates > 0 {
                s.conflictNextUpdates -= 1
                throw LeaseStoreError.conflict
            }
            guard let current = s.leases[name], current.resourceVersion == record.resourceVersion else {
                throw LeaseStoreError.conflict
            }
            s.version += 1
            s.updates += 1
            var stored = record
            stored.resourceVersion = String(s.version)
            s.leases[name] = stored
            return stored
        }
    }

    /// A stalled call waits on the stall clock for its whole budget, then fails as a client timeout would.
    private func stallIfAsked(_ budget: Duration) async throws {
        let clock: (any RuntimeClock)? = locked { s in
            s.budgets.append(budget)
            return s.stallClock
        }
        guard let clock else { return }
        try await clock.sleep(for: budget)
        throw Unavailable()
    }

    /// Writes a record directly, as another process would.
    public func put(name: String, _ record: LeaseRecord) {
        locked { s in
            s.version += 1
            var stored = record
            stored.resourceVersion = String(s.version)
            s.leases[name] = stored
        }
    }

    /// Makes the next `n` updates fail with `LeaseStoreError.conflict`.
    public func conflictNextUpdates(_ n: Int) { locked { $0.conflictNextUpdates = n } }
    /// Makes every update fail with `Unavailable` (or stops doing so).
    public func failAllUpdates(_ fail: Bool) { locked { $0.failAllUpdates = fail } }
    /// Makes every `get` and `update` hang until its budget has passed on `clock` (nil: answer at once again):
    /// an API server too slow to answer before the renew deadline.
    public func stall(on clock: (any RuntimeClock)?) { locked { $0.stallClock = clock } }
    /// The budget each call was given, in order.
    public var budgets: [Duration] { locked { $0.budgets } }
    /// The stored record, read without going through the protocol.
    public func lease(_ name: String) -> LeaseRecord? { locked { $0.leases[name] } }
    /// Successful updates so far.
    public var updateCount: Int { locked { $0.updates } }
}
