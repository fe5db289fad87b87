import Foundation
import KubeJSON

/// A local stand-in for the Kubernetes API server, for tests, benchmarks and the demo.
///
/// ```swift
/// let emulator = try await KubeEmulator.start(EmulatorConfiguration())
/// try emulator.writeKubeconfig(to: "/tmp/kubeconfig")
/// // ... use emulator.url ...
/// await emulator.shutdown()
/// ```
public final class KubeEmulator: Sendable {
    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    public let url: URL
    public let configuration: EmulatorConfiguration
    /// With TLS: the CA, server and client certificates.
    public let certificates: CertificateAuthority?
    /// With TLS: the bearer token accepted in place of a client certificate.
    public let bearerToken: String?

    let server: HTTPServer
    let api: APIServer
    let controllers: [Task<Void, Never>]

    private init(url: URL, configuration: EmulatorConfiguration, certificates: CertificateAuthority?, bearerToken: String?,
                 server: HTTPServer, api: APIServer, controllers: [Task<Void, Never>]) {
        self.url = url
        self.configuration = configuration
        self.certificates = certificates
        self.bearerToken = bearerToken
        self.server = server
        self.api = api
        self.controllers = controllers
    }

    /// Starts an emulator with namespaces `default` and `kube-system`.
    public static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration()) async throws -> KubeEmulator {
        let store = Store(watchWindow: configuration.watchWindow, types: BuiltinResources.all)
        let certificates = configuration.tls ? try CertificateAuthority() : nil
        let token = configuration.tls ? (configuration.bearerToken ?? UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")) : nil
        let box = APIServerBox()
        let server = try await HTTPServer.start(host: configuration.host, port: configuration.port,
                                                tls: try certificates?.serverContext()) { request in
            guard let api = box.api else { return .error(APIError(code: 503, reason: "ServiceUnavailable", message: "starting")) }
            return await api.handle(request)
        }
        let scheme = configuration.tls ? "https" : "http"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let url = URL(string: "\(scheme)://\(host):\(server.port)")!
        let api = APIServer(store: store, configuration: configuration, bearerToken: token, serverAddress: "\(host):\(server.port)")
        box.set(api)
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let type = BuiltinResources.all.first { $0.resource == "namespaces" }!
            _ = try store.withState { s throws(APIError) in
                try s.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]],
                             WriteOptions(type: type, version: "v1", fieldManager: "fledge-emulator"))
            }
        }
        let gc = GarbageCollector(store: store)
        let deployments = DeploymentController(store: store, readyDelay: configuration.deploymentReadyDelay,
                                               createPods: configuration.createPods)
        let controllers = [Task { await gc.run() }, Task { await deployments.run() }]
        return KubeEmulator(url: url, configuration: configuration, certificates: certificates, bearerToken: token,
                            server: server, api: api, controllers: controllers)
    }

    /// Stops listening and ends every watch.
    public func shutdown() async {
        _ = api.store.withState { $0.hub.dropAll() }
        for c in controllers { c.cancel() }
        await server.shutdown()
    }

    /// A kubeconfig for this emulator (context `fledge-emulator`, namespace `default`).
    public func kubeconfig() -> String {
        var cluster = "    server: \(url.absoluteString)\n"
        var user = "  user: {}\n"
        if let c = certificates {
            cluster += "    certificate-authority-data: \(Data(c.caCertificatePEM.utf8).base64EncodedString())\n"
            user = "  user:\n    client-certificate-data: \(Data(c.clientCertificatePEM.utf8).base64EncodedString())\n"
                + "    client-key-data: \(Data(c.clientKeyPEM.utf8).base64EncodedString())\n"
        }
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: fledge-emulator
          cluster:
        \(cluster)users:
        - name: fledge-emulator
        \(user)contexts:
        - name: fledge-emulator
          context:
            cluster: fledge-emulator
            user: fledge-emulator
            namespace: default
        current-context: fledge-emulator
        preferences: {}

        """
    }

    /// Writes ``kubeconfig()`` to a file (mode 0600).
    public func writeKubeconfig(to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// The current resourceVersion (for tests).
    public var resourceVersion: Int { api.store.withState { $0.resourceVersion } }
}

import Synchronization

/// Lets the HTTP handler be created before the API server knows its own address.
final class APIServerBox: Sendable {
    private let value = Mutex<APIServer?>(nil)
    var api: APIServer? { value.withLock { $0 } }
    func set(_ api: APIServer) { value.withLock { $0 = api } }
}
