import Foundation

/// A value guarded by a lock. Used for the few pieces of state that must be read
/// synchronously from any thread (the store, flags such as `hasSynced`).
final class Locked<State>: @unchecked Sendable {
    private var state: State
    private let lock = NSLock()

    init(_ state: State) {
        self.state = state
    }

    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
