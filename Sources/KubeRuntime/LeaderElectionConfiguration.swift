import Foundation

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
