import Foundation

/// Everything needed to reach one API server: where it is, how to trust it, who we are.
///
/// Built from a kubeconfig (``Kubeconfig``), from the pod's service account (``InClusterConfiguration``) or by
/// hand in tests. Descriptions never include credentials.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    /// The API server, e.g. `https://10.0.0.1:443`.
    public var server: URL
    /// The default namespace (the context's, the service account's, or `default`).
    public var namespace: String
    public var tls: TLSSettings
    public var authentication: Authentication
    /// Timeout of one non-watch request.
    public var requestTimeout: Duration
    /// Client-side rate limit: sustained requests per second.
    public var qps: Double
    /// Client-side rate limit: requests allowed at once after an idle period.
    public var burst: Int
    /// How many times a request answered with 429 is retried (idempotent verbs only).
    public var maxRetries: Int
    public var userAgent: String

    public init(server: URL, namespace: String = "default", tls: TLSSettings = TLSSettings(),
                authentication: Authentication = .none, requestTimeout: Duration = .seconds(30),
                qps: Double = 50, burst: Int = 100, maxRetries: Int = 3, userAgent: String = "fledge/0.1") {
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.authentication = authentication
        self.requestTimeout = requestTimeout
        self.qps = qps
        self.burst = burst
        self.maxRetries = maxRetries
        self.userAgent = userAgent
    }

    public var description: String {
        "ClientConfiguration(server: \(server.absoluteString), namespace: \(namespace), tls: \(tls), authentication: \(authentication))"
    }
}

/// How to trust the server and, optionally, a client certificate to present.
public struct TLSSettings: Sendable, Equatable, CustomStringConvertible {
    /// PEM of the CA bundle to trust (nil: the system roots).
    public var certificateAuthorityPEM: [UInt8]?
    /// Skip server certificate verification (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// Server name to verify instead of the URL's host (`tls-server-name`).
    public var serverName: String?
    /// PEM client certificate chain.
    public var clientCertificatePEM: [UInt8]?
    /// PEM private key of the client certificate.
    public var clientKeyPEM: Secret?

    public init(certificateAuthorityPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
                clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: Secret? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }

    public var description: String {
        "TLSSettings(customCA: \(certificateAuthorityPEM != nil), insecureSkipVerify: \(insecureSkipVerify), "
            + "clientCertificate: \(clientCertificatePEM != nil))"
    }
}

/// Who the client is to the server. Descriptions name the method, never the credential.
public enum Authentication: Sendable, Equatable, CustomStringConvertible {
    case none
    /// A fixed bearer token.
    case bearerToken(Secret)
    /// A bearer token read from a file, re-read when older than `refreshInterval` (rotating service-account tokens).
    case tokenFile(path: String, refreshInterval: Duration)
    /// HTTP basic authentication.
    case basic(username: String, password: Secret)
    /// An exec credential plugin; its token or client certificate is cached until it expires.
    case exec(ExecConfig, clusterServer: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .bearerToken: "bearerToken(<redacted>)"
        case .tokenFile(let path, _): "tokenFile(\(path))"
        case .basic(let username, _): "basic(\(username), <redacted>)"
        case .exec(let config, _): "exec(\(config.command))"
        }
    }
}

/// A problem with the client's configuration: a missing file, an unknown context, a failing credential plugin.
public enum KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case noConfiguration(String)
    case invalidKubeconfig(String)
    case contextNotFound(String)
    case clusterNotFound(String)
    case userNotFound(String)
    case noCurrentContext
    case fileUnreadable(path: String, reason: String)
    case notInCluster(String)
    case execPluginFailed(command: String, reason: String)

    public var description: String {
        switch self {
        case .noConfiguration(let s): "no Kubernetes configuration found: \(s)"
        case .invalidKubeconfig(let s): "invalid kubeconfig: \(s)"
        case .contextNotFound(let s): "context \"\(s)\" not found in kubeconfig"
        case .clusterNotFound(let s): "cluster \"\(s)\" not found in kubeconfig"
        case .userNotFound(let s): "user \"\(s)\" not found in kubeconfig"
        case .noCurrentContext: "kubeconfig has no current-context and none was given"
        case .fileUnreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notInCluster(let s): "not running in a cluster: \(s)"
        case .execPluginFailed(let command, let reason): "credential plugin \(command) failed: \(reason)"
        }
    }
}
