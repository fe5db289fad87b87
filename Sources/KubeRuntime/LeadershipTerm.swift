import Foundation

/// The time this process may act as the leader, and the check every write makes against it.
///
/// A follower takes the Lease only `leaseDuration` after it *saw* the leader's last renew, and it cannot see a
/// renew before the leader sent it. So a leader whose renew attempt began at `t` is safe to act until
/// `t + leaseDuration`; it allows itself only `t + renewDeadline`, which leaves `leaseDuration − renewDeadline`
/// (5 s with the defaults) for a write already in flight and for the two clocks drifting apart. The
/// ``LeaderElector`` extends the term after each successful acquire or renew and ends it the moment leadership
/// is lost or given up. The term is time-based: a leader whose renew hangs stops writing when its time runs out,
/// whether or not the hanging call ever returns.
///
/// A process that runs without leader election uses ``unbounded``, which always allows writes.
public final class LeadershipTerm: Sendable {
    private enum State {
        case unbounded
        /// Writes allowed until `until`; no follower can take the Lease before `takeover`.
        case leading(until: RuntimeInstant, takeover: RuntimeInstant)
        case notLeading
    }
    private let state: Locked<State>
    private let clock: any RuntimeClock

    /// A term that starts not leading; the elector opens it.
    public init(clock: any RuntimeClock = SystemRuntimeClock()) {
        self.clock = clock
        self.state = Locked(.notLeading)
    }

    private init(unboundedWith clock: any RuntimeClock) {
        self.clock = clock
        self.state = Locked(.unbounded)
    }

    /// For a process without leader election: every write is allowed.
    public static func unbounded() -> LeadershipTerm { LeadershipTerm(unboundedWith: SystemRuntimeClock()) }

    /// The process leads until `instant`, and no follower can take over before `takeover` (never shortens a
    /// longer term already granted).
    func extend(until instant: RuntimeInstant, takeoverNotBefore takeover: RuntimeInstant) {
        state.withLock { s in
            switch s {
            case .unbounded: return
            case .leading(let current, _) where current > instant: return
            default: s = .leading(until: instant, takeover: takeover)
            }
        }
    }

    /// Leadership is lost or given up: no write from now on.
    func end() {
        state.withLock { s in
            if case .unbounded = s { return }
            s = .notLeading
        }
    }

    /// How long writes are still allowed (nil: without limit; zero: none).
    public var timeLeft: Duration? {
        let now = clock.now()
        return state.withLock { s -> Duration? in
            switch s {
            case .unbounded: return nil
            case .notLeading: return .zero
            case .leading(let until, _): return until > now ? until - now : .zero
            }
        }
    }

    /// How long until a follower could take the Lease (nil: no leader election). A request sent now that the
    /// server has not answered by then is abandoned: the client gives up on it (see `KubeClient.requestTimeoutCap`),
    /// so a write of this leader is not left in flight into a successor's term.
    public var timeBeforeTakeover: Duration? {
        let now = clock.now()
        return state.withLock { s -> Duration? in
            switch s {
            case .unbounded: return nil
            case .notLeading: return .zero
            case .leading(_, let takeover): return takeover > now ? takeover - now : .zero
            }
        }
    }

    /// Throws ``NotLeading`` unless this process may write now. Call it right before every write.
    public func check() throws(NotLeading) {
        if let left = timeLeft, left <= .zero { throw NotLeading() }
    }
}

/// A write was not sent: this process does not lead (any more), or its term ran out before a renew succeeded.
public struct NotLeading: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "not sent: this process is not the leader (or its leadership term ran out before a renew succeeded)" }
}
