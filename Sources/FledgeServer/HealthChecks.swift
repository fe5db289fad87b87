import Synchronization

/// A set of named pass/fail checks behind `/healthz` or `/readyz`.
///
/// A check is either a flag the owner flips (``pass(_:)`` / ``fail(_:reason:)``) or a probe closure evaluated on
/// every request (``addProbe(_:_:)``). The set is healthy when no check fails; an empty set is healthy.
public final class HealthChecks: Sendable {
    /// A probe: returns `nil` when healthy, otherwise the reason it is not.
    public typealias Probe = @Sendable () -> String?

    private enum Check {
        case flag(failure: String?)
        case probe(Probe)
    }

    private let checks: Mutex<[String: Check]>

    /// Creates a set whose named checks start failing with the given reasons (e.g. `["informers": "caches not
    /// synced"]`), so the process is not ready until the owner passes them.
    public init(failing initial: [String: String] = [:]) {
        self.checks = Mutex(initial.mapValues { Check.flag(failure: $0) })
    }

    /// Marks the named check as passing (adding it if unknown).
    public func pass(_ name: String) {
        checks.withLock { $0[name] = .flag(failure: nil) }
    }

    /// Marks the named check as failing with a reason (adding it if unknown).
    public func fail(_ name: String, reason: String) {
        checks.withLock { $0[name] = .flag(failure: reason) }
    }

    /// Sets the named check from a boolean: passing when `ok`, else failing with `reason`.
    public func set(_ name: String, ok: Bool, reason: @autoclosure () -> String) {
        if ok { pass(name) } else { fail(name, reason: reason()) }
    }

    /// Adds (or replaces) a check evaluated on every request.
    public func addProbe(_ name: String, _ probe: @escaping Probe) {
        checks.withLock { $0[name] = .probe(probe) }
    }

    /// Removes the named check.
    public func remove(_ name: String) {
        _ = checks.withLock { $0.removeValue(forKey: name) }
    }

    /// Evaluates every check now. Probes run outside the lock, so a probe may itself use this set.
    public func evaluate() -> HealthStatus {
        let snapshot = checks.withLock { $0 }
        var failures: [HealthStatus.Failure] = []
        for (name, check) in snapshot {
            let reason: String? = switch check {
            case .flag(let failure): failure
            case .probe(let probe): probe()
            }
            if let reason { failures.append(.init(check: name, reason: reason)) }
        }
        failures.sort { $0.check < $1.check }
        return HealthStatus(checkCount: snapshot.count, failures: failures)
    }

    /// Whether every check passes now.
    public var isHealthy: Bool { evaluate().isHealthy }
}

/// Whether the process is ready to serve: checks such as "informer caches synced", flipped by the controller.
public typealias Readiness = HealthChecks

/// Whether the process's main loops are alive; a failing liveness check makes the kubelet restart the container.
public typealias Liveness = HealthChecks

/// The outcome of evaluating a ``HealthChecks`` set.
public struct HealthStatus: Sendable, Equatable {
    /// One failing check and why.
    public struct Failure: Sendable, Equatable {
        /// The check's name.
        public var check: String
        /// Why it fails.
        public var reason: String

        /// Creates a failure.
        public init(check: String, reason: String) {
            self.check = check
            self.reason = reason
        }
    }

    /// How many checks were evaluated.
    public var checkCount: Int
    /// The failing checks, sorted by name.
    public var failures: [Failure]

    /// Whether no check fails.
    public var isHealthy: Bool { failures.isEmpty }

    /// Creates a status.
    public init(checkCount: Int, failures: [Failure]) {
        self.checkCount = checkCount
        self.failures = failures
    }

    /// The HTTP body: `ok` when healthy, otherwise one `[-]name: reason` line per failing check followed by
    /// `<endpoint> check failed`.
    public func body(endpoint: String) -> String {
        guard !isHealthy else { return "ok\n" }
        var text = ""
        for failure in failures {
            text += "[-]\(failure.check): \(Self.oneLine(failure.reason))\n"
        }
        text += "\(endpoint) check failed\n"
        return text
    }

    /// Keeps a reason on one line so the body stays one check per line.
    private static func oneLine(_ reason: String) -> String {
        String(reason.map { $0.isNewline ? " " : $0 })
    }
}
