import Foundation
import Yams

/// One kubeconfig file as written on disk (`kind: Config`), before merging and resolution.
///
/// Field names follow the file format (`certificate-authority-data`, `tokenFile`, `exec`, …). Relative file
/// paths are kept as written; ``resolvingPaths(against:)`` makes them absolute.
public struct KubeconfigFile: Codable, Sendable, Equatable {
    public var clusters: [NamedCluster]?
    public var users: [NamedUser]?
    public var contexts: [NamedContext]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    public init(clusters: [NamedCluster]? = nil, users: [NamedUser]? = nil, contexts: [NamedContext]? = nil,
                currentContext: String? = nil) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    /// Parses kubeconfig YAML (JSON is YAML too). An empty document is an empty config.
    public init(yaml: String) throws {
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            self.init()
            return
        }
        do {
            self = try YAMLDecoder().decode(KubeconfigFile.self, from: yaml)
        } catch {
            throw KubeConfigError.invalidKubeconfig("\(error)")
        }
    }

    public struct NamedCluster: Codable, Sendable, Equatable {
        public var name: String
        public var cluster: Cluster
        public init(name: String, cluster: Cluster) { self.name = name; self.cluster = cluster }
    }

    public struct NamedUser: Codable, Sendable, Equatable {
        public var name: String
        public var user: User
        public init(name: String, user: User) { self.name = name; self.user = user }
    }

    public struct NamedContext: Codable, Sendable, Equatable {
        public var name: String
        public var context: Context
        public init(name: String, context: Context) { self.name = name; self.context = context }
    }

    /// `clusters[].cluster`.
    public struct Cluster: Codable, Sendable, Equatable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }

        public init(server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: String? = nil,
                    insecureSkipTLSVerify: Bool? = nil, tlsServerName: String? = nil) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
        }
    }

    /// `users[].user` (`AuthInfo`). Secrets are ``Secret`` so a dumped config shows none of them.
    public struct User: Codable, Sendable, Equatable {
        public var token: Secret?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: Secret?
        public var username: String?
        public var password: Secret?
        public var exec: ExecConfig?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }

        public init(token: Secret? = nil, tokenFile: String? = nil, clientCertificate: String? = nil,
                    clientCertificateData: String? = nil, clientKey: String? = nil, clientKeyData: Secret? = nil,
                    username: String? = nil, password: Secret? = nil, exec: ExecConfig? = nil) {
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.username = username
            self.password = password
            self.exec = exec
        }
    }

    /// `contexts[].context`.
    public struct Context: Codable, Sendable, Equatable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
        public init(cluster: String, user: String? = nil, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    /// Resolves relative file paths (CA, client certificate and key, token file, exec command containing a `/`)
    /// against `directory`, as kubectl does for the file they appear in.
    public func resolvingPaths(against directory: String) -> KubeconfigFile {
        func abs(_ p: String?) -> String? {
            guard let p, !p.isEmpty, !p.hasPrefix("/") else { return p }
            if p.hasPrefix("~/") { return NSHomeDirectory() + p.dropFirst(1) }
            return (directory as NSString).appendingPathComponent(p)
        }
        var copy = self
        copy.clusters = clusters?.map { c in
            var c = c
            c.cluster.certificateAuthority = abs(c.cluster.certificateAuthority)
            return c
        }
        copy.users = users?.map { u in
            var u = u
            u.user.tokenFile = abs(u.user.tokenFile)
            u.user.clientCertificate = abs(u.user.clientCertificate)
            u.user.clientKey = abs(u.user.clientKey)
            if let command = u.user.exec?.command, command.contains("/") { u.user.exec?.command = abs(command)! }
            return u
        }
        return copy
    }

    /// Merges files like kubectl: the first file to define a cluster, user or context name, or a
    /// current-context, wins; later definitions of the same name are ignored.
    public static func merged(_ files: [KubeconfigFile]) -> KubeconfigFile {
        func merge<T>(_ lists: [[T]?], name: (T) -> String) -> [T]? {
            var seen = Set<String>()
            var out: [T] = []
            for item in lists.compactMap({ $0 }).joined() where seen.insert(name(item)).inserted { out.append(item) }
            return out.isEmpty ? nil : out
        }
        return KubeconfigFile(
            clusters: merge(files.map(\.clusters), name: \.name),
            users: merge(files.map(\.users), name: \.name),
            contexts: merge(files.map(\.contexts), name: \.name),
            currentContext: files.lazy.compactMap { $0.currentContext }.first { !$0.isEmpty })
    }
}

extension Secret: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}
