import Foundation

/// The configuration of a pod talking to its own cluster: `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted
/// service account (`token`, `ca.crt`, `namespace`). The token is a ``Authentication/tokenFile(path:refreshInterval:)``
/// so a rotated token is picked up (re-read when older than a minute).
public enum InClusterConfiguration {
    /// Where Kubernetes mounts the service account.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public static func load(directory: String = defaultDirectory,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            tokenRefreshInterval: Duration = .seconds(60)) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError.notInCluster("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw KubeConfigError.notInCluster("invalid service host \(host):\(port)")
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError.notInCluster("no service account token at \(tokenPath)")
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        let ca = FileManager.default.contents(atPath: caPath).map { Array($0) }
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        let namespace = (try? String(contentsOfFile: namespacePath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ClientConfiguration(server: server, namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
                                   tls: TLSSettings(certificateAuthorityPEM: ca),
                                   authentication: .tokenFile(path: tokenPath, refreshInterval: tokenRefreshInterval))
    }
}
