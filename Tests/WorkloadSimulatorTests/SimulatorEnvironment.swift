import AsyncHTTPClient
import Foundation
import Kube
import KubeEmulator
import PrometheusTesting
import TestSupport
import Testing
import WorkloadSimulator

/// One in-process emulator (creating Pods for Deployments), a client, the demo-like Deployments and the simulator
/// service on port 0, shared by the tests of a suite marked `.simulatorEnvironment`.
///
/// Deployments in `default`: `shop-stable` (3 replicas, `service.version=1.0.0,deployment.track=stable`),
/// `shop-canary` (1 replica, 2.0.0, canary, `DEMO_ERROR_RATE=0.2`), and `untagged` (1 replica, no resource
/// attributes). The shop service receives ``rate`` requests per second.
final class SimulatorEnvironment: Sendable {
    static let rate = 4000.0

    let emulator: KubeEmulator
    let client: KubeClient
    let service: WorkloadSimulatorService
    let serviceTask: Task<Void, any Error>
    let address: ListenAddress
    let directory: URL

    var baseURL: String { "http://\(address.reachable)" }
    var prometheusConfigPath: String { directory.appendingPathComponent("prometheus.yml").path }

    private init(emulator: KubeEmulator, client: KubeClient, service: WorkloadSimulatorService,
                 serviceTask: Task<Void, any Error>, address: ListenAddress, directory: URL) {
        self.emulator = emulator
        self.client = client
        self.service = service
        self.serviceTask = serviceTask
        self.address = address
        self.directory = directory
    }

    static func start() async throws -> SimulatorEnvironment {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fledge-workload-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var emulatorConfiguration = EmulatorConfiguration()
        emulatorConfiguration.createPods = true
        emulatorConfiguration.deploymentReadyDelay = .milliseconds(50)
        let emulator = try await KubeEmulator.start(emulatorConfiguration)
        let client: KubeClient
        do {
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try emulator.writeKubeconfig(to: kubeconfig)
            client = try KubeClient(configuration: try Kubeconfig.load(path: kubeconfig, environment: [:]))
        } catch {
            await emulator.shutdown()
            throw error
        }

        var configuration = WorkloadSimulatorConfiguration()
        configuration.rate = rate
        configuration.seed = 2026
        configuration.pollInterval = .milliseconds(100)
        configuration.tickInterval = .milliseconds(100)
        configuration.prometheusConfigPath = directory.appendingPathComponent("prometheus.yml").path
        configuration.scrapeInterval = .seconds(1)
        let service = WorkloadSimulatorService(configuration: configuration,
                                               source: PodSource(client: client, namespaces: ["default"]))
        let task = Task { try await service.run() }
        do {
            let address = try await service.listeningAddress()
            _ = try await client.create(deployment("shop-stable", replicas: 3, labels: ["app": "shop", "variant": "stable"],
                                                   env: ["OTEL_RESOURCE_ATTRIBUTES": "service.version=1.0.0,deployment.track=stable"]))
            _ = try await client.create(deployment("shop-canary", replicas: 1, labels: ["app": "shop", "variant": "canary"],
                                                   env: ["OTEL_RESOURCE_ATTRIBUTES": "service.version=2.0.0,deployment.track=canary",
                                                         "DEMO_ERROR_RATE": "0.2"]))
            _ = try await client.create(deployment("untagged", replicas: 1, labels: ["app": "untagged"], env: [:]))
            return SimulatorEnvironment(emulator: emulator, client: client, service: service, serviceTask: task,
                                        address: address, directory: directory)
        } catch {
            task.cancel()
            _ = try? await task.value
            try? await client.shutdown()
            await emulator.shutdown()
            throw error
        }
    }

    func stop() async {
        serviceTask.cancel()
        _ = try? await serviceTask.value
        try? await client.shutdown()
        await emulator.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    static func deployment(_ name: String, replicas: Int, labels: [String: String], env: [String: String]) -> Deployment {
        Deployment(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: labels),
                    spec: PodSpec(containers: [Container(name: "app", image: "registry.example/\(name):1",
                                                         env: env.keys.sorted().map { EnvVar(name: $0, value: env[$0]) })]))))
    }

    // MARK: HTTP

    /// GET `path` on the simulator: status and body.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await httpGet(baseURL + path)
    }

    /// `GET /state`, decoded.
    func state() async throws -> StateReport {
        let (status, body) = try await get("/state")
        guard status == 200 else { throw EnvironmentError("GET /state answered \(status): \(body)") }
        return try JSONDecoder().decode(StateReport.self, from: Data(body.utf8))
    }

    /// Waits until the 5 pods are ready in the simulation.
    func waitForAllPodsReady() async throws {
        try await poll("all 5 pods ready in /state") {
            let pods = try await state().pods
            return pods.count == 5 && pods.allSatisfy(\.ready)
        }
    }

    // MARK: Shared state

    enum State: Sendable {
        case ready(SimulatorEnvironment)
        case failed(String)
    }

    @TaskLocal static var current: State?

    static func require() throws -> SimulatorEnvironment {
        switch current {
        case .ready(let environment): return environment
        case .failed(let message): throw EnvironmentError("the simulator test environment could not start: \(message)")
        case nil: throw EnvironmentError("this test needs the .simulatorEnvironment suite trait")
        }
    }
}

/// GET `url` with the shared AsyncHTTPClient: status and body.
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
    var body = try await response.body.collect(upTo: 32 << 20)
    return (Int(response.status.code), body.readString(length: body.readableBytes) ?? "")
}

/// Polls `condition` every 50 ms until it holds; fails after `seconds` scaled by ``TestTimeouts``
/// (`FLEDGE_TEST_TIMEOUT_SCALE`): a busy machine makes a test slower, never red.
func poll(_ what: String, seconds: Int = 20, _ condition: () async throws -> Bool) async throws {
    let limit = Duration.seconds(seconds)
    let deadline = ContinuousClock.now + TestTimeouts.scaled(limit)
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw EnvironmentError("timed out after \(TestTimeouts.describe(limit)) waiting for \(what)"
                           + (lastError.map { " (last error: \($0))" } ?? ""))
}

struct EnvironmentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a suite inside one shared ``SimulatorEnvironment``; if it cannot start, every test fails with the reason.
struct SimulatorEnvironmentTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let state: SimulatorEnvironment.State
        do {
            state = .ready(try await SimulatorEnvironment.start())
        } catch {
            state = .failed("\(error)")
        }
        do {
            try await SimulatorEnvironment.$current.withValue(state) { try await function() }
        } catch {
            if case .ready(let environment) = state { await environment.stop() }
            throw error
        }
        if case .ready(let environment) = state { await environment.stop() }
    }
}

extension Trait where Self == SimulatorEnvironmentTrait {
    /// One emulator, its Deployments and the simulator for the whole suite.
    static var simulatorEnvironment: Self { SimulatorEnvironmentTrait() }
}
