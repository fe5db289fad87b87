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

    /// A detail: a line such as `leader-election: follower` that says something about the process without
    /// passing or failing (evaluated on every request).
    public typealias Detail = @Sendable () -> String

    private let checks: Mutex<[String: Check]>
    private let details = Mutex<[String: Detail]>([:])

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

    /// Adds (or replaces) a named detail shown in the body whether or not the checks pass (`name: value`).
    public func addDetail(_ name: String, _ detail: @escaping Detail) {
        details.withLock { $0[name] = detail }
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
        let notes = details.withLock { $0 }.map { HealthStatus.Detail(name: $0.key, value: $0.value()) }
            .sorted { $0.name < $1.name }
        return HealthStatus(checkCount: snapshot.count, failures: failures, details: notes)
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

    /// A line that says something about the process (its role, for example) without passing or failing.
    public struct Detail: Sendable, Equatable {
        /// What the line is about.
        public var name: String
        /// What it says.
        public var value: String

        /// Creates a detail.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// How many checks were evaluated.
    public var checkCount: Int
    /// The failing checks, sorted by name.
    public var failures: [Failure]
    /// The details, sorted by name.
    public var details: [Detail]

    /// Whether no check fails.
    public var isHealthy: Bool { failures.isEmpty }

    /// Creates a status.
    public init(checkCount: Int, failures: [Failure], details: [Detail] = []) {
        self.checkCount = checkCount
        self.failures = failures
        self.details = details
    }

    /// The HTTP body: `ok` when healthy, otherwise one `[-]name: reason` line per failing check followed by
    /// `<endpoint> check failed`; in both cases a `name: value` line per detail after the first line (a probe
    /// reads only the status code; a person reads which replica this is).
    public func body(endpoint: String) -> String {
        let notes = details.map { "\($0.name): \(Self.oneLine($0.value))\n" }.joined()
        guard !isHealthy else { return "ok\n" + notes }
        var text = ""
        for failure in failures {
            text += "[-]\(failure.check): \(Self.oneLine(failure.reason))\n"
        }
        text += notes
        text += "\(endpoint) check failed\n"
        return text
    }

    /// Keeps a reason on one line so the body stays one check per line.
    private static func oneLine(_ reason: String) -> String {
        String(reason.map { $0.isNewline ? " " : $0 })
    }
}
