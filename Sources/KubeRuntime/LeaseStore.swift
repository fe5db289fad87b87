import Foundation

/// The spec of a coordination.k8s.io/v1 Lease plus its resourceVersion: what leader
/// election reads and writes.
public struct LeaseRecord: Hashable, Sendable {
    /// The current holder; nil or empty when the lease is free (e.g. after a release).
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int
    public var acquireTime: Date?
    public var renewTime: Date?
    public var leaseTransitions: Int
    /// The object's resourceVersion; `update` succeeds only if it is still current.
    public var resourceVersion: String

    public init(
        holderIdentity: String?,
        leaseDurationSeconds: Int,
        acquireTime: Date? = nil,
        renewTime: Date? = nil,
        leaseTransitions: Int = 0,
        resourceVersion: String = ""
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.resourceVersion = resourceVersion
    }
}

/// Errors leader election gives a meaning to; adapters map the client's errors to these.
public enum LeaseStoreError: Error, Hashable, Sendable {
    /// 409: `update` with a stale resourceVersion, or `create` of an existing lease.
    case conflict
}

/// Reads and writes one namespace's Leases. The seam between leader election and the
/// Kubernetes client; an adapter implements it with GET / POST / PUT on
/// `coordination.k8s.io/v1` leases.
///
/// Every call gets a `budget`: the time left before the elector's renew deadline. A call that cannot finish
/// within it must fail (a timeout) rather than return late, so a slow API server ends a leader's term on time.
public protocol LeaseStore: Sendable {
    /// The lease named `name`, or nil if it does not exist (404).
    func get(name: String, within budget: Duration) async throws -> LeaseRecord?
    /// Creates the lease; throws `LeaseStoreError.conflict` if it already exists.
    func create(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord
    /// Replaces the lease's spec if `record.resourceVersion` is current; throws
    /// `LeaseStoreError.conflict` otherwise. Returns the stored record (new resourceVersion).
    func update(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord
}

extension LeaseStore {
    /// `get` with a 5 s budget.
    public func get(name: String) async throws -> LeaseRecord? { try await get(name: name, within: .seconds(5)) }
    /// `create` with a 5 s budget.
    public func create(name: String, record: LeaseRecord) async throws -> LeaseRecord {
        try await create(name: name, record: record, within: .seconds(5))
    }
    /// `update` with a 5 s budget.
    public func update(name: String, record: LeaseRecord) async throws -> LeaseRecord {
        try await update(name: name, record: record, within: .seconds(5))
    }
}
