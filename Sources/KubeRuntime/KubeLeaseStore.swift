import Foundation
import Kube

/// `LeaseStore` on the Kubernetes client: `coordination.k8s.io/v1` Leases in one namespace.
///
/// - `get` → GET (404 → nil); `create` → POST (409 AlreadyExists → `LeaseStoreError.conflict`);
///   `update` → PUT with `metadata.resourceVersion` = the record's (409 → `.conflict`).
/// - Times are written as RFC 3339 micro time (`2026-11-22T05:00:00.000000Z`), like the real
///   API's `MicroTime`, and read with or without fractional seconds.
/// - Each call is bounded by the smaller of `timeout` (5 s default) and the budget the elector
///   gives (the time left before its renew deadline), so a hanging API server makes a renew fail
///   on time instead of delaying the elector's deadline. The call is cancelled and fails with
///   `KubeError.timeout`.
/// - Give it a client of its own (own connection pool and rate limiter): renewals must not queue
///   behind the reconcilers' requests.
/// - `update` writes over the last object this store read or wrote for that name (when the
///   resourceVersion matches), so labels and annotations others set on the Lease survive.
public final class KubeLeaseStore: LeaseStore, Sendable {
    /// What its requests need: read, create and update (never list, watch or patch) one Lease.
    public static let apiAccess = [APIAccess(.leases, ["get", "create", "update"])]

    public let client: KubeClient
    public let namespace: String
    public let timeout: Duration
    private let lastSeen = Locked([String: Lease]())

    public init(client: KubeClient, namespace: String, timeout: Duration = .seconds(5)) {
        self.client = client
        self.namespace = namespace
        self.timeout = timeout
    }

    public func get(name: String, within budget: Duration) async throws -> LeaseRecord? {
        do {
            let lease = try await bounded(budget) { try await self.client.get(Lease.self, name: name, namespace: self.namespace) }
            return try remember(lease)
        } catch KubeError.notFound {
            return nil
        }
    }

    public func create(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord {
        let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: Self.spec(record))
        do {
            let created = try await bounded(budget) { try await self.client.create(lease, namespace: self.namespace) }
            return try remember(created)
        } catch KubeError.alreadyExists, KubeError.conflict {
            throw LeaseStoreError.conflict
        }
    }

    public func update(name: String, record: LeaseRecord, within budget: Duration) async throws -> LeaseRecord {
        var lease = lastSeen.withLock { $0[name] }
            .flatMap { $0.metadata.resourceVersion == record.resourceVersion ? $0 : nil }
            ?? Lease(metadata: ObjectMeta(name: name, namespace: namespace))
        lease.metadata.name = name
        lease.metadata.namespace = namespace
        lease.metadata.resourceVersion = record.resourceVersion
        lease.spec = Self.spec(record)
        let toWrite = lease
        do {
            let updated = try await bounded(budget) { try await self.client.update(toWrite) }
            return try remember(updated)
        } catch KubeError.conflict, KubeError.alreadyExists {
            throw LeaseStoreError.conflict
        } catch KubeError.notFound {
            // Deleted meanwhile: the precondition cannot hold.
            throw LeaseStoreError.conflict
        }
    }

    // MARK: Conversion

    private func remember(_ lease: Lease) throws -> LeaseRecord {
        if let name = lease.metadata.name { lastSeen.withLock { $0[name] = lease } }
        return try Self.record(lease)
    }

    static func spec(_ record: LeaseRecord) -> LeaseSpec {
        LeaseSpec(
            holderIdentity: record.holderIdentity.flatMap { $0.isEmpty ? nil : $0 },
            leaseDurationSeconds: record.leaseDurationSeconds,
            acquireTime: record.acquireTime.map(MicroTime.format),
            renewTime: record.renewTime.map(MicroTime.format),
            leaseTransitions: record.leaseTransitions)
    }

    static func record(_ lease: Lease) throws -> LeaseRecord {
        let spec = lease.spec ?? LeaseSpec()
        func time(_ text: String?) throws -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = MicroTime.parse(text) else {
                throw KubeError.decoding("Lease \(lease.metadata.name ?? "") has an invalid time \"\(text)\"")
            }
            return date
        }
        return LeaseRecord(
            holderIdentity: spec.holderIdentity,
            leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
            acquireTime: try time(spec.acquireTime),
            renewTime: try time(spec.renewTime),
            leaseTransitions: spec.leaseTransitions ?? 0,
            resourceVersion: lease.metadata.resourceVersion ?? "")
    }

    // MARK: Timeout

    private func bounded<T: Sendable>(_ budget: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = min(self.timeout, budget)
        guard timeout > .zero else {
            throw KubeError.timeout(Status(message: "no time left for a lease request", reason: "Timeout", code: 504))
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next()! else {
                throw KubeError.timeout(Status(message: "lease request did not finish within \(timeout)", reason: "Timeout", code: 504))
            }
            return result
        }
    }
}

/// RFC 3339 with microseconds, UTC: the `MicroTime` format of `Lease.spec.acquireTime`/`renewTime`.
enum MicroTime {
    static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = Int64(t.rounded(.down))
        var micros = Int64(((t - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                        from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func pad(_ v: Int?, _ width: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))."
            + "\(pad(Int(micros), 6))Z"
    }

    /// Accepts `2026-11-22T05:00:00Z`, `...00.5Z`, `...00.000000Z` and numeric offsets (`+01:00`).
    static func parse(_ text: String) -> Date? {
        var base = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digitsEnd = text[text.index(after: dot)...].firstIndex { !$0.isNumber } ?? text.endIndex
            let digits = text[text.index(after: dot)..<digitsEnd]
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            base = String(text[..<dot]) + String(text[digitsEnd...])
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: base) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
