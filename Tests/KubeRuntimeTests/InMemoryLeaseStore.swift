import Foundation
import KubeRuntime

/// Leases in memory, with resourceVersion preconditions and injectable failures.
/// (Test support; belongs in a `KubeRuntimeTesting` module once Package.swift has one.)
final class InMemoryLeaseStore: LeaseStore, @unchecked Sendable {
    struct Unavailable: Error {}

    private struct State {
        var leases: [String: LeaseRecord] = [:]
        var version = 0
        var conflictNextUpdates = 0
        var failAllUpdates = false
        var updates = 0
    }
    private let lock = NSLock()
    private var state = State()

    private func locked<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    func get(name: String) async throws -> LeaseRecord? {
        locked { $0.leases[name] }
    }

    func create(name: String, record: LeaseRecord) async throws -> LeaseRecord {
        try locked { s in
            if s.leases[name] != nil { throw LeaseStoreError.conflict }
            s.version += 1
            var stored = record
            stored.resourceVersion = String(s.version)
            s.leases[name] = stored
            return stored
        }
    }

    func update(name: String, record: LeaseRecord) async throws -> LeaseRecord {
        try locked { s in
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

    /// Writes a record directly, as another process would.
    func put(name: String, _ record: LeaseRecord) {
        locked { s in
            s.version += 1
            var stored = record
            stored.resourceVersion = String(s.version)
            s.leases[name] = stored
        }
    }

    func conflictNextUpdates(_ n: Int) { locked { $0.conflictNextUpdates = n } }
    func failAllUpdates(_ fail: Bool) { locked { $0.failAllUpdates = fail } }
    func lease(_ name: String) -> LeaseRecord? { locked { $0.leases[name] } }
    var updateCount: Int { locked { $0.updates } }
}
