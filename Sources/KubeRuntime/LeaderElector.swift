import Foundation
import Logging
import ServiceLifecycle

/// Runs `services` (typically the controllers) only while this process holds a Lease.
///
/// - Acquires the lease when it does not exist, is free (no holder) or has expired.
///   Expiry is judged by *when this process last saw the lease record change* (on its
///   own monotonic clock) plus `leaseDurationSeconds` — never by the remote
///   `renewTime`, so clock skew between machines cannot cause two leaders.
/// - While leading, renews every `retryPeriod`. Each attempt's calls are bounded by the
///   time left before the renew deadline (`renewDeadline` after the last successful attempt
///   *began*), so a slow or unreachable API server cannot stretch an attempt past it. If no
///   renew succeeds by then, or another holder appears, the services are cancelled and
///   `run()` throws `LeadershipLost`.
/// - `term` says until when this process may write: it ends at that same deadline even if a
///   call never returns, `leaseDuration − renewDeadline` before any follower can take over
///   (see ``LeadershipTerm``). Writers check it before every write.
/// - On graceful shutdown the services drain first, then the lease is released (holder
///   cleared, duration 1 s) so another candidate takes over at its next retry.
/// - Graceful shutdown before acquiring makes `run()` return at once.
public final class LeaderElector: Service, Sendable {
    public let configuration: LeaderElectionConfiguration
    private let leaseStore: any LeaseStore
    private let services: [any Service]
    private let clock: any RuntimeClock
    private let logger: Logger
    /// Until when this process may write; writers call `term.check()` before each write.
    public let term: LeadershipTerm

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
        term: LeadershipTerm? = nil,
        logger: Logger = Logger(label: "fledge.runtime.leader-election")
    ) {
        self.configuration = configuration
        self.term = term ?? LeadershipTerm(clock: clock)
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
        let acquiredAt: RuntimeInstant
        do {
            acquiredAt = try await cancelWhenGracefulShutdown { try await self.acquire() }
        } catch is CancellationError {
            logger.debug("stopped before acquiring the lease")
            return
        }
        try await lead(since: acquiredAt)
    }

    // MARK: Acquiring

    /// Returns when the successful attempt began.
    private func acquire() async throws -> RuntimeInstant {
        logger.info("waiting to acquire the lease")
        while true {
            try Task.checkCancellation()
            let started = clock.now()
            if case .success = await tryAcquireOrRenew(before: started + configuration.renewDeadline) {
                term.extend(until: started + configuration.renewDeadline, takeoverNotBefore: started + configuration.leaseDuration)
                logger.info("acquired the lease")
                return started
            }
            try await clock.sleep(for: configuration.retryPeriod)
        }
    }

    private enum Attempt {
        case success
        case heldBy(String)
        case failed(any Error)
    }

    /// The time left before `deadline` for the next call, or a timeout when there is none.
    private func budget(before deadline: RuntimeInstant) throws -> Duration {
        let left = deadline - clock.now()
        guard left > .zero else { throw RenewDeadlinePassed() }
        return left
    }

    /// One round of client-go's tryAcquireOrRenew, every call bounded by the time left before `deadline`.
    private func tryAcquireOrRenew(before deadline: RuntimeInstant) async -> Attempt {
        let identity = configuration.identity
        let durationSeconds = Int(configuration.leaseDuration.components.seconds)
        let wall = clock.wallTime()
        let current: LeaseRecord?
        do {
            current = try await leaseStore.get(name: configuration.leaseName, within: budget(before: deadline))
        } catch {
            return .failed(error)
        }
        guard let current else {
            let record = LeaseRecord(
                holderIdentity: identity, leaseDurationSeconds: durationSeconds,
                acquireTime: wall, renewTime: wall, leaseTransitions: 0
            )
            do {
                let created = try await leaseStore.create(name: configuration.leaseName, record: record,
                                                          within: budget(before: deadline))
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
            let updated = try await leaseStore.update(name: configuration.leaseName, record: next, within: budget(before: deadline))
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

    private func lead(since acquiredAt: RuntimeInstant) async throws {
        state.withLock { $0.isLeader = true }
        defer {
            term.end()
            state.withLock { $0.isLeader = false }
        }

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

        term.end()
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

    /// Renews every `retryPeriod` until leadership is lost. `lastRenew` is when the last successful attempt
    /// *began*: the follower cannot have seen that renew earlier, so its expiry is at least `leaseDuration` later.
    private func keepRenewing(since acquiredAt: RuntimeInstant) async throws {
        var lastRenew = acquiredAt
        while true {
            let deadline = lastRenew + configuration.renewDeadline
            try await clock.sleep(until: min(clock.now() + configuration.retryPeriod, deadline))
            try Task.checkCancellation()
            let started = clock.now()
            let outcome: Attempt = started < deadline ? await tryAcquireOrRenew(before: deadline) : .failed(RenewDeadlinePassed())
            try Task.checkCancellation()
            switch outcome {
            case .success:
                lastRenew = started
                term.extend(until: started + configuration.renewDeadline, takeoverNotBefore: started + configuration.leaseDuration)
            case .heldBy(let holder):
                term.end()
                throw LeadershipLost(
                    leaseName: configuration.leaseName, identity: configuration.identity,
                    reason: "the lease is now held by \(holder)"
                )
            case .failed(let error):
                let since = clock.now() - lastRenew
                logger.warning("failed to renew the lease", metadata: ["error": "\(error)", "since": "\(since)"])
                if clock.now() >= deadline {
                    term.end()
                    throw LeadershipLost(
                        leaseName: configuration.leaseName, identity: configuration.identity,
                        reason: "no successful renew within \(configuration.renewDeadline): \(error)"
                    )
                }
            }
        }
    }

    /// Clears the holder so the next candidate need not wait for expiry. The term has ended: nothing is written
    /// after this but the release itself.
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
            let stored = try await leaseStore.update(name: configuration.leaseName, record: released, within: configuration.renewDeadline)
            observe(stored)
            logger.info("released the lease")
        } catch {
            logger.warning("failed to release the lease", metadata: ["error": "\(error)"])
        }
    }
}

/// A lease call was not made: the renew deadline had already passed.
struct RenewDeadlinePassed: Error, CustomStringConvertible {
    var description: String { "the renew deadline passed before the call could be made" }
}
