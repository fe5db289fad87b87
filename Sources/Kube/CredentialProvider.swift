import Foundation

/// The credentials to attach to one request: an `Authorization` header value and/or a client certificate.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    public var authorization: Secret?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: Secret?

    public init(authorization: Secret? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: Secret? = nil) {
        self.authorization = authorization
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }

    public var description: String {
        "Credentials(authorization: \(authorization == nil ? "none" : "<redacted>"), clientCertificate: \(clientCertificatePEM != nil))"
    }
}

/// Turns an ``Authentication`` into ``Credentials`` for each request, caching what is costly or rotating:
/// token files are re-read when older than their refresh interval, exec plugin output is kept until it expires
/// (or forever without an expiry) and ``invalidate()`` drops it (after a 401).
public actor CredentialProvider {
    public let authentication: Authentication
    private let now: @Sendable () -> Date
    private let environment: [String: String]
    private var cached: Credentials?
    private var cachedUntil: Date?
    /// How many times the exec plugin ran (for tests and diagnostics).
    public private(set) var execRuns = 0

    public init(_ authentication: Authentication, environment: [String: String] = ProcessInfo.processInfo.environment,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.authentication = authentication
        self.environment = environment
        self.now = now
    }

    /// Whether a 401 could be cured by fetching the credentials again.
    public nonisolated var canRefresh: Bool {
        switch authentication {
        case .tokenFile, .exec: true
        default: false
        }
    }

    /// Forgets cached credentials so the next call reads the token file or runs the plugin again.
    public func invalidate() {
        cached = nil
        cachedUntil = nil
    }

    public func credentials() async throws -> Credentials {
        if let cached, cachedUntil.map({ now() < $0 }) ?? true { return cached }
        switch authentication {
        case .none:
            return Credentials()
        case .bearerToken(let token):
            return Credentials(authorization: Secret("Bearer \(token.value)"))
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password.value)".utf8).base64EncodedString()
            return Credentials(authorization: Secret("Basic \(encoded)"))
        case .tokenFile(let path, let refresh):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError.fileUnreadable(path: path, reason: "cannot read token file")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let creds = Credentials(authorization: Secret("Bearer \(token)"))
            cached = creds
            cachedUntil = now().addingTimeInterval(Self.seconds(refresh))
            return creds
        case .exec(let config, let server):
            let output = try await ExecCredentialPlugin(config: config, clusterServer: server, environment: environment).run()
            execRuns += 1
            let creds = Credentials(authorization: output.token.map { Secret("Bearer \($0.value)") },
                                    clientCertificatePEM: output.clientCertificatePEM, clientKeyPEM: output.clientKeyPEM)
            cached = creds
            cachedUntil = output.expiration
            return creds
        }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        let c = d.components
        return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
    }
}
