import Foundation
import Testing
@testable import Kube

@Suite struct KubeconfigTests {
    static let first = """
    apiVersion: v1
    kind: Config
    current-context: one
    clusters:
    - name: c1
      cluster:
        server: https://one.example:6443
        certificate-authority: certs/ca.pem
    - name: shared
      cluster:
        server: https://first-wins.example
    users:
    - name: u1
      user:
        token: first-token
    contexts:
    - name: one
      context: {cluster: c1, user: u1, namespace: team-a}
    - name: shared-ctx
      context: {cluster: shared, user: u1}
    """

    static let second = """
    current-context: two
    clusters:
    - name: shared
      cluster:
        server: https://second-loses.example
    - name: c2
      cluster:
        server: https://two.example
        insecure-skip-tls-verify: true
    users:
    - name: u2
      user:
        username: admin
        password: hunter2
    contexts:
    - name: two
      context: {cluster: c2, user: u2}
    """

    @Test func parsesFieldsAndResolvesRelativePathsAgainstTheFilesDirectory() throws {
        let dir = try TempDirectory()
        try dir.write("certs/ca.pem", "CA PEM")
        let path = try dir.write("config", Self.first)
        let config = try Kubeconfig.load(path: path, environment: [:])
        #expect(config.server.absoluteString == "https://one.example:6443")
        #expect(config.namespace == "team-a")
        #expect(config.tls.certificateAuthorityPEM == Array("CA PEM".utf8))
        #expect(config.authentication == .bearerToken(Secret("first-token")))
    }

    @Test func kubeconfigEnvironmentListMergesFirstWins() throws {
        let dir = try TempDirectory()
        try dir.write("certs/ca.pem", "CA PEM")
        let a = try dir.write("a", Self.first)
        let b = try dir.write("b", Self.second)
        let env = ["KUBECONFIG": "\(a):\(dir.file("missing")):\(b)"]
        #expect(Kubeconfig.paths(environment: env) == [a, dir.file("missing"), b])
        let merged = try Kubeconfig.readMerged(paths: Kubeconfig.paths(environment: env), skipMissing: true)
        #expect(merged.currentContext == "one")
        #expect(merged.clusters?.map(\.name) == ["c1", "shared", "c2"])
        #expect(merged.clusters?.first { $0.name == "shared" }?.cluster.server == "https://first-wins.example")

        let current = try Kubeconfig.load(environment: env)
        #expect(current.server.absoluteString == "https://one.example:6443")

        let two = try Kubeconfig.load(context: "two", environment: env)
        #expect(two.server.absoluteString == "https://two.example")
        #expect(two.namespace == "default")
        #expect(two.tls.insecureSkipVerify)
        #expect(two.authentication == .basic(username: "admin", password: Secret("hunter2")))

        let shared = try Kubeconfig.load(context: "shared-ctx", environment: env)
        #expect(shared.server.absoluteString == "https://first-wins.example")
    }

    @Test func defaultsToHomeKubeConfig() throws {
        let dir = try TempDirectory()
        try dir.write("certs/ca.pem", "CA PEM")
        try dir.write(".kube/config", Self.second)
        #expect(Kubeconfig.paths(environment: [:], homeDirectory: dir.path) == [dir.file(".kube/config")])
        let config = try Kubeconfig.load(environment: [:], homeDirectory: dir.path)
        #expect(config.server.absoluteString == "https://two.example")
    }

    @Test func detectPrefersKubeconfigThenFallsBackToInCluster() throws {
        let dir = try TempDirectory()
        try dir.write("certs/ca.pem", "CA PEM")
        let file = try dir.write("a", Self.first)
        let sa = try TempDirectory()
        try sa.write("token", "t")
        let inCluster = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        #expect(try ClientConfiguration.detect(environment: inCluster.merging(["KUBECONFIG": file]) { a, _ in a },
                                               homeDirectory: sa.path, serviceAccountDirectory: sa.path)
            .server.absoluteString == "https://one.example:6443")
        #expect(try ClientConfiguration.detect(kubeconfigPath: file, context: "shared-ctx", environment: [:])
            .server.absoluteString == "https://first-wins.example")
        let fallback = try ClientConfiguration.detect(environment: inCluster, homeDirectory: sa.path, serviceAccountDirectory: sa.path)
        #expect(fallback.server.absoluteString == "https://10.0.0.1:443")
        #expect(throws: KubeConfigError.self) {
            try ClientConfiguration.detect(environment: [:], homeDirectory: sa.path, serviceAccountDirectory: sa.path)
        }
    }

    @Test func unknownContextAndMissingPiecesAreErrors() throws {
        let dir = try TempDirectory()
        let path = try dir.write("config", Self.second)
        #expect(throws: KubeConfigError.contextNotFound("nope")) { try Kubeconfig.load(path: path, context: "nope", environment: [:]) }
        let noCurrent = try dir.write("nocurrent", "clusters: []\n")
        #expect(throws: KubeConfigError.noCurrentContext) { try Kubeconfig.load(path: noCurrent, environment: [:]) }
        let dangling = try dir.write("dangling", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone}\n")
        #expect(throws: KubeConfigError.clusterNotFound("gone")) { try Kubeconfig.load(path: dangling, environment: [:]) }
        #expect(throws: KubeConfigError.self) { try Kubeconfig.load(path: dir.file("absent"), environment: [:]) }
    }

    @Test func inlineDataAndClientCertificateFiles() throws {
        let dir = try TempDirectory()
        try dir.write("client.crt", "CERT")
        try dir.write("client.key", "KEY")
        try dir.write("token", "file-token\n")
        let ca = Data("INLINE CA".utf8).base64EncodedString()
        let path = try dir.write("config", """
        current-context: x
        clusters:
        - name: c
          cluster: {server: "https://127.0.0.1:1", certificate-authority-data: \(ca), tls-server-name: api.internal}
        users:
        - name: u
          user: {client-certificate: client.crt, client-key: client.key, tokenFile: token}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        """)
        let config = try Kubeconfig.load(path: path, environment: [:])
        #expect(config.tls.certificateAuthorityPEM == Array("INLINE CA".utf8))
        #expect(config.tls.serverName == "api.internal")
        #expect(config.tls.clientCertificatePEM == Array("CERT".utf8))
        #expect(config.tls.clientKeyPEM == Secret("KEY"))
        #expect(config.authentication == .tokenFile(path: dir.file("token"), refreshInterval: .seconds(60)))
    }

    @Test func descriptionsNeverShowCredentials() throws {
        let dir = try TempDirectory()
        let key = Data("SUPERSECRETKEY".utf8).base64EncodedString()
        let path = try dir.write("config", """
        current-context: x
        clusters:
        - name: c
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: u
          user: {token: SUPERSECRETTOKEN, password: SUPERSECRETPASSWORD, username: me, client-certificate-data: \(key), client-key-data: \(key)}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        """)
        let file = try Kubeconfig.read(path: path)
        let config = try Kubeconfig.configuration(from: file)
        var dumped = ""
        dump(file, to: &dumped)
        dump(config, to: &dumped)
        let texts = [String(describing: config), String(reflecting: config), String(describing: file), String(reflecting: file),
                     "\(config.authentication)", "\(config.tls)", dumped,
                     String(describing: Credentials(authorization: Secret("Bearer SUPERSECRETTOKEN")))]
        for text in texts {
            #expect(!text.contains("SUPERSECRET"), "leaked in \(text)")
        }
        #expect(config.authentication == .bearerToken(Secret("SUPERSECRETTOKEN")))
    }
}

@Suite struct InClusterTests {
    @Test func readsServiceAccountAndRereadsRotatedToken() async throws {
        let dir = try TempDirectory()
        try dir.write("token", "token-1\n")
        try dir.write("ca.crt", "CLUSTER CA")
        try dir.write("namespace", "fledge-system\n")
        let config = try InClusterConfiguration.load(
            directory: dir.path, environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(config.server.absoluteString == "https://10.0.0.1:443")
        #expect(config.namespace == "fledge-system")
        #expect(config.tls.certificateAuthorityPEM == Array("CLUSTER CA".utf8))

        let clock = TestClock()
        let provider = CredentialProvider(config.authentication, now: { clock.now })
        #expect(try await provider.credentials().authorization?.value == "Bearer token-1")
        try dir.write("token", "token-2\n")
        clock.advance(30)
        #expect(try await provider.credentials().authorization?.value == "Bearer token-1", "cached within a minute")
        clock.advance(31)
        #expect(try await provider.credentials().authorization?.value == "Bearer token-2", "re-read after a minute")
    }

    @Test func ipv6HostAndMissingEnvironment() throws {
        let dir = try TempDirectory()
        try dir.write("token", "t")
        let config = try InClusterConfiguration.load(
            directory: dir.path, environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"])
        #expect(config.server.absoluteString == "https://[fd00::1]:6443")
        #expect(config.namespace == "default")
        #expect(throws: KubeConfigError.self) { try InClusterConfiguration.load(directory: dir.path, environment: [:]) }
    }
}

/// A settable wall clock for credential expiry.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_700_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
