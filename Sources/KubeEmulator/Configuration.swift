import Foundation

/// How to run an emulator.
public struct EmulatorConfiguration: Sendable {
    /// Address to listen on (loopback by default).
    public var host: String = "127.0.0.1"
    /// Port; 0 picks a free one.
    public var port: Int = 0
    /// Serve HTTPS with a CA generated at start, requiring a client certificate or the bearer token.
    public var tls: Bool = false
    /// With TLS: the accepted bearer token (generated when nil).
    public var bearerToken: String?
    /// How long after a Deployment changes until its status reports it ready.
    public var deploymentReadyDelay: Duration = .seconds(1)
    /// Whether the Deployment stand-in also creates ReplicaSets and Pods.
    public var createPods: Bool = true
    /// How often watches that asked for bookmarks get one.
    public var bookmarkInterval: Duration = .seconds(1)
    /// How many events watches can resume from; older resourceVersions get 410 Gone.
    public var watchWindow: Int = 10_000

    public init() {}
}
