import Foundation
import Kube
import KubeEmulator
import KubeJSON
import Logging
import TestSupport

/// Starts an in-process emulator, builds a client for it (from the kubeconfig it writes), runs `body`, shuts both down.
func withEmulatorClient<T>(tls: Bool = false, configure: (inout EmulatorConfiguration) -> Void = { _ in },
                           logger: Logger = Logger(label: "kube-tests"),
                           _ body: (KubeEmulator, KubeClient) async throws -> T) async throws -> T {
    var config = EmulatorConfiguration()
    config.tls = tls
    config.deploymentReadyDelay = .milliseconds(50)
    config.bookmarkInterval = .milliseconds(100)
    config.createPods = false
    configure(&config)
    let emulator = try await KubeEmulator.start(config)
    let dir = try TempDirectory()
    let path = dir.file("kubeconfig")
    var client: KubeClient?
    do {
        try emulator.writeKubeconfig(to: path)
        var clientConfig = try Kubeconfig.load(path: path, environment: [:])
        clientConfig.requestTimeout = .seconds(20)
        client = try KubeClient(configuration: clientConfig, logger: logger)
        let result = try await body(emulator, client!)
        try await client!.shutdown()
        await emulator.shutdown()
        return result
    } catch {
        try? await client?.shutdown()
        await emulator.shutdown()
        throw error
    }
}

/// Fails with a timeout instead of hanging when `body` does not finish within `seconds` scaled by ``TestTimeouts``.
func withDeadline<T: Sendable>(_ seconds: Int = 15, _ what: String = "operation",
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: TestTimeouts.scaled(.seconds(seconds)))
            throw DeadlineExceeded(what: "\(what) (limit \(TestTimeouts.describe(.seconds(seconds))))")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds, failing after `seconds` scaled by ``TestTimeouts``.
func eventually(_ seconds: Double = 10, _ what: String, _ condition: () async throws -> Bool) async throws {
    try await TestTimeouts.poll(what, limit: .milliseconds(Int(seconds * 1000)), condition)
}

extension KubeClient {
    /// Calls the emulator's admin API through our own transport.
    @discardableResult
    func admin(_ method: Request.Method, _ action: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let request = Request(method: method, path: "/emulator.fledge.dev/\(action)", headers: ["Content-Type": "application/json"],
                              body: try body?.data(), verb: method == .get ? "get" : "create")
        return try JSONValue(parsing: try await send(request).body)
    }
}

enum Fixtures {
    static func deployment(_ name: String, namespace: String = "default", replicas: Int = 1, labels: [String: String] = [:],
                           image: String = "registry.example/web:1") -> Deployment {
        let podLabels = ["app": name]
        return Deployment(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: podLabels),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: podLabels),
                                          spec: PodSpec(containers: [Container(name: "app", image: image,
                                                                               env: [EnvVar(name: "A", value: "1")],
                                                                               ports: [ContainerPort(containerPort: 8080)])]))))
    }

    static func service(_ name: String, namespace: String = "default") -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: namespace),
                spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", port: 80, targetPort: 8080)]))
    }
}
