import Foundation
import Logging
import ServiceLifecycle

/// Timing of leader election. The defaults are client-go's and controller-runtime's.
public struct LeaderElectionConfiguration: Sendable {
    /// The Lease's name (its namespace is the `LeaseStore`'s).
    public var leaseName: String
    /// This candidate's identity, unique per process (e.g. the pod name).
    public var identity: String
    /// How long followers wait, after they last saw the lease change, before taking it.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leadership.
    public var renewDeadline: Duration
    /// The pause between attempts to acquire or renew.
    public var retryPeriod: Duration

    public init(
        leaseName: String,
        identity: String,
        leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2)
    ) {
        precondition(leaseDuration > renewDeadline, "leaseDuration must be greater than renewDeadline")
        precondition(renewDeadline > retryPeriod, "renewDeadline must be greater than retryPeriod")
        self.leaseName = leaseName
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }
}

/// Thrown by `LeaderElector.run()` when this process stops being the leader without
/// having been asked to. ServiceLifecycle turns it into a shutdown of the service group;
/// the executable should exit non-zero so that it restarts as a follower.
public struct LeadershipLost: Error, CustomStringConvertible, Sendable {
    public var leaseName: String
    public var identity: String
    public var reason: String

    public var description: String {
        "\(identity) lost leadership of lease \(leaseName): \(reason)"
    }
}

/// Runs `services` (typically the controllers) only while this process holds a Lease.
///
/// - Acquires the lease when it does not exist, is free (no holder) or has expired.
///   Expiry is judged by *when this process last saw the lease record change* (on its
///   own monotonic clock) plus `leaseDurationSeconds` — never by the remote
///   `renewTime`, so clock skew between machines cannot cause two leaders.
/// - While leading, renews every `retryPeriod`. If no renew succeeds within
///   `renewDeadline`, or another holder appears, the services are cancelled and
///   `run()` throws `LeadershipLost`.
/// - On graceful shutdown the services drain first, then the lease is released (holder
///   cleared, duration 1 s) so another candidate takes over at its next retry.
/// - Graceful shutdown before acquiring makes `run()` return at once.
public final class LeaderElector: Service, Sendable {
    public let configuration: LeaderElectionConfiguration
    private let leaseStore: any LeaseStore
    private let services: [any Service]
    private let clock: any RuntimeClock
    private let logger: Logger

    private struct State {
        var observedRecord: LeaseRecord?
        var observedTime: RuntimeInstant?
        var isLeader = false
    }
    private let state = Locked(State())

    public init(
        configuration: LeaderElectionConfiguration,
        leaseStore: any LeaseStore,
        services: [any Service],
        clock: any RuntimeClock = SystemRuntimeClock(),
        logger: Logger = Logger(label: "fledge.runtime.leader-election")
    ) {
        self.configuration = configuration
        self.leaseStore = leaseStore
        self.services = services
        self.clock = clock
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
    }

    /// Whether this process currently leads (and its services run).
    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The holder of the lease as last observed, if any.
    public var observedLeader: String? {
        state.withLock { s in s.observedRecord?.holderIdentity.flatMap { $0.isEmpty ? nil : $0 } }
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.acquire() }
        } catch is CancellationError {
            logger.debug("stopped before acquiring the lease")
            return
        }
        try await lead()
    }

    // MARK: Acquiring

    private func acquire() async throws {
        logger.info("waiting to acquire the lease")
        while true {
            try Task.checkCancellation()
            if case .success = await tryAcquireOrRenew() {
                logger.info("acquired the lease")
                return
            }
            try await clock.sleep(for: configuration.retryPeriod)
        }
    }

    private enum Attempt {
        case success
        case heldBy(String)
        case failed(any Error)
    }

    /// One round of client-go's tryAcquireOrRenew.
    private func tryAcquireOrRenew() async -> Attempt {
        let identity = configuration.identity
        let durationSeconds = Int(configuration.leaseDuration.components.seconds)
        let wall = clock.wallTime()
        let current: LeaseRecord?
        do {
            current = try await leaseStore.get(name: configuration.leaseName)
        } catch {
            return .failed(error)
        }
        guard let current else {
            let record = LeaseRecord(
                holderIdentity: identity, leaseDurationSeconds: durationSeconds,
                acquireTime: wall, renewTime: wall, leaseTransitions: 0
            )
            do {
                let created = try await leaseStore.create(name: configuration.leaseName, record: record)
                observe(created)
                return .success
            } catch {
                return .failed(error)
            }
        }

        // Remember when *we* saw the record change; expiry is measured from there.
        let now = clock.now()
        let (observedTime, wasLeader) = state.withLock { s -> (RuntimeInstant, Bool) in
            if s.observedRecord != current || s.observedTime == nil {
                s.observedRecord = current
                s.observedTime = now
            }
            return (s.observedTime!, s.isLeader)
        }
        let holder = current.holderIdentity ?? ""
        if !holder.isEmpty, holder != identity {
            if wasLeader { return .heldBy(holder) }  // someone else holds what we led: lost
            let expiry = observedTime + .seconds(current.leaseDurationSeconds)
            if now < expiry { return .heldBy(holder) }
        }

        var next = current
        next.holderIdentity = identity
        next.leaseDurationSeconds = durationSeconds
        next.renewTime = wall
        if holder != identity {
            next.acquireTime = wall
            next.leaseTransitions = current.leaseTransitions + 1
        }
        do {
            let updated = try await leaseStore.update(name: configuration.leaseName, record: next)
            observe(updated)
            return .success
        } catch {
            return .failed(error)
        }
    }

    private func observe(_ record: LeaseRecord) {
        let now = clock.now()
        state.withLock { s in
            s.observedRecord = record
            s.observedTime = now
        }
    }

    // MARK: Leading

    private enum LeadEnd: Sendable {
        case servicesEnded((any Error)?)
        case renewEnded(any Error)
    }

    private func lead() async throws {
        state.withLock { $0.isLeader = true }
        defer { state.withLock { $0.isLeader = false } }
        let acquiredAt = clock.now()

        let end: LeadEnd = await withTaskGroup(of: LeadEnd.self) { group in
            group.addTask {
                do {
                    try await self.runServices()
                    return .servicesEnded(nil)
                } catch {
                    return .servicesEnded(error)
                }
            }
            group.addTask {
                do {
                    try await self.keepRenewing(since: acquiredAt)
                    return .renewEnded(CancellationError())
                } catch {
                    return .renewEnded(error)
                }
            }
            let first = await group.next()!
            group.cancelAll()
            while await group.next() != nil {}
            return first
        }

        switch end {
        case .renewEnded(let error):
            if let lost = error as? LeadershipLost {
                logger.error("leadership lost; services stopped", metadata: ["reason": "\(lost.reason)"])
            }
            throw error
        case .servicesEnded(let error):
            if Task.isCancelled {
                // Hard stop: do not touch the API; the lease expires on its own.
                throw error ?? CancellationError()
            }
            await release()
            if let error { throw error }
        }
    }

    private func runServices() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            do {
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private func keepRenewing(since acquiredAt: RuntimeInstant) async throws {
        var lastRenew = acquiredAt
        while true {
            try await clock.sleep(for: configuration.retryPeriod)
            let outcome = await tryAcquireOrRenew()
            try Task.checkCancellation()
            switch outcome {
            case .success:
                lastRenew = clock.now()
            case .heldBy(let holder):
                throw LeadershipLost(
                    leaseName: configuration.leaseName, identity: configuration.identity,
                    reason: "the lease is now held by \(holder)"
                )
            case .failed(let error):
                let since = clock.now() - lastRenew
                logger.warning("failed to renew the lease", metadata: ["error": "\(error)", "since": "\(since)"])
                if since >= configuration.renewDeadline {
                    throw LeadershipLost(
                        leaseName: configuration.leaseName, identity: configuration.identity,
                        reason: "no successful renew within \(configuration.renewDeadline): \(error)"
                    )
                }
            }
        }
    }

    /// Clears the holder so the next candidate need not wait for expiry.
    private func release() async {
        guard let observed = state.withLock({ $0.observedRecord }),
            observed.holderIdentity == configuration.identity
        else { return }
        let wall = clock.wallTime()
        var released = observed
        released.holderIdentity = nil
        released.leaseDurationSeconds = 1
        released.acquireTime = wall
        released.renewTime = wall
        do {
            let stored = try await leaseStore.update(name: configuration.leaseName, record: released)
            observe(stored)
            logger.info("released the lease")
        } catch {
            logger.warning("failed to release the lease", metadata: ["error": "\(error)"])
        }
    }
}
