import Foundation
import KubeJSON
import Synchronization

/// What every scenario shares, started once, lazily, by the first scenario that asks: one emulator (with pods),
/// the Rollout CRD applied with real kubectl, one workload simulator playing every pod's app, and one real
/// Prometheus scraping it every second. Scenarios isolate themselves by namespace. Everything stops when the
/// test process exits (``ProcessRegistry``); the logs stay in ``logDirectory``.
final class E2EEnvironment: Sendable {
    /// Requests per second each service receives. High, so the analysis sees enough canary traffic to promote
    /// within a few seconds even at a 10% canary.
    static let requestRate = 20_000

    let logDirectory: URL
    let emulator: ManagedProcess
    let emulatorURL: String
    let kubeconfig: String
    /// The controllers' kubeconfig: a token of the fledge-controller service account, which the emulator
    /// authorizes by the shipped RBAC (manifests/clusterrole.yaml, bound as the install binds it).
    let controllerKubeconfig: String
    let kubectl: Kubectl
    let workload: ManagedProcess
    let workloadURL: String
    let prometheus: PrometheusServer
    /// The prometheus.yml the simulator wrote (scrapes the simulator every second).
    let scrapeConfig: String

    private init(logDirectory: URL, emulator: ManagedProcess, emulatorURL: String, kubeconfig: String, controllerKubeconfig: String,
                 kubectl: Kubectl, workload: ManagedProcess, workloadURL: String, prometheus: PrometheusServer, scrapeConfig: String) {
        self.logDirectory = logDirectory
        self.emulator = emulator
        self.emulatorURL = emulatorURL
        self.kubeconfig = kubeconfig
        self.controllerKubeconfig = controllerKubeconfig
        self.kubectl = kubectl
        self.workload = workload
        self.workloadURL = workloadURL
        self.prometheus = prometheus
        self.scrapeConfig = scrapeConfig
    }

    private static let startup = Mutex<Task<E2EEnvironment, any Error>?>(nil)

    /// The shared environment, started on first use. A failed start is remembered: every scenario then fails
    /// with the same message instead of trying again.
    static func shared() async throws -> E2EEnvironment {
        let task = startup.withLock { task in
            if let task { return task }
            let started = Task { try await E2EEnvironment.start() }
            task = started
            return started
        }
        return try await task.value
    }

    private static func start() async throws -> E2EEnvironment {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let logDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fledge-e2e-\(stamp)-\(UUID().uuidString.prefix(6))", isDirectory: true)
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        FileHandle.standardError.write(Data("FledgeE2ETests: logs of every process in \(logDirectory.path)\n".utf8))

        // The emulator, with pods that become ready one second after a change.
        let kubeconfig = logDirectory.appendingPathComponent("kubeconfig").path
        let emulator = try ManagedProcess.start(
            name: "emulator", executable: try E2EPaths.executable("fledge-emulator"),
            arguments: ["--port", "0", "--kubeconfig-out", kubeconfig, "--deployment-ready-delay", "1s"],
            logDirectory: logDirectory)
        let emulatorURL = "http://" + (try await emulator.waitForLine(startingWith: "listening on http://"))
        let kubectl = try Kubectl(kubeconfig: kubeconfig, home: logDirectory.appendingPathComponent("kubectl-home").path)

        // The Rollout CRD, applied as a user would, and Established before any scenario starts.
        try await kubectl.ok("apply", "-f", E2EPaths.crdFile)
        try await kubectl.ok("wait", "--for=condition=Established", "--timeout=60s", "crd/rollouts.fledge.dev")

        // The controller's identity and permissions, as the install manifests give them.
        try await kubectl.ok("create", "namespace", "fledge-system")
        try await kubectl.ok("apply", "-f", E2EPaths.manifest("clusterrole.yaml"), "-f", E2EPaths.manifest("clusterrolebinding.yaml"))
        let controllerKubeconfig = logDirectory.appendingPathComponent("controller-kubeconfig").path
        try await writeServiceAccountKubeconfig(emulatorURL: emulatorURL, to: controllerKubeconfig)

        // The workload simulator: every ready pod's app, served as metrics; it writes Prometheus's config.
        let scrapeConfig = logDirectory.appendingPathComponent("prometheus.yml").path
        let workload = try ManagedProcess.start(
            name: "workload", executable: try E2EPaths.executable("fledge-workload"),
            arguments: ["--kubeconfig", kubeconfig, "--rate", String(requestRate), "--poll-interval", "250ms",
                        "--write-prometheus-config", scrapeConfig, "--scrape-interval", "1s"],
            logDirectory: logDirectory)
        let workloadURL = "http://" + (try await workload.waitForLine(startingWith: "listening on http://"))
        try await waitUntil("the simulator's prometheus.yml at \(scrapeConfig)", timeout: .seconds(30)) {
            FileManager.default.fileExists(atPath: scrapeConfig)
        }

        let prometheus = try await PrometheusServer.start(name: "prometheus", configFile: scrapeConfig,
                                                          logDirectory: logDirectory)
        return E2EEnvironment(logDirectory: logDirectory, emulator: emulator, emulatorURL: emulatorURL,
                              kubeconfig: kubeconfig, controllerKubeconfig: controllerKubeconfig, kubectl: kubectl,
                              workload: workload, workloadURL: workloadURL,
                              prometheus: prometheus, scrapeConfig: scrapeConfig)
    }

    /// Asks the emulator for a token of `fledge-system/fledge-controller` and writes a kubeconfig that uses it.
    private static func writeServiceAccountKubeconfig(emulatorURL: String, to path: String) async throws {
        let issued = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/tokens", method: "POST",
                                            json: ["namespace": "fledge-system", "serviceAccount": "fledge-controller"])
        guard issued.status == 201, let token = try JSONValue(parsing: issued.body)["token"]?.stringValue else {
            throw E2EError("a service-account token: HTTP \(issued.status) \(issued.body)")
        }
        try """
        apiVersion: v1
        kind: Config
        clusters:
        - name: emulator
          cluster: {server: "\(emulatorURL)"}
        users:
        - name: fledge-controller
          user: {token: "\(token)"}
        contexts:
        - name: fledge-controller
          context: {cluster: emulator, user: fledge-controller}
        current-context: fledge-controller

        """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Gives the controller's service account the Lease permissions of the install (manifests/leader-election-role.yaml
    /// and its binding) in `namespace`, where the scenario's controllers elect their leader.
    func grantLeaderElection(in namespace: String) async throws {
        try await kubectl.ok("apply", "-n", namespace, "-f", E2EPaths.manifest("leader-election-role.yaml"),
                             "-f", E2EPaths.manifest("leader-election-rolebinding.yaml"))
    }

    /// The distinct verbs RBAC let the controller's service account use, as `verb resource` (`patch rollouts/status`).
    func authorizedRequests() async throws -> Set<String> {
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/rbac", timeout: .seconds(30))
        guard response.status == 200 else { throw E2EError("rbac decisions: HTTP \(response.status)") }
        return Set((try JSONValue(parsing: response.body)["allowed"]?.arrayValue ?? [])
            .filter { $0["user"]?.stringValue == "system:serviceaccount:fledge-system:fledge-controller" }
            .map { "\($0["verb"]?.stringValue ?? "") \($0["resource"]?.stringValue ?? "")" })
    }

    /// Requests of the controller's service account that RBAC refused in `namespace` (`GET /emulator.fledge.dev/rbac`).
    func refusedRequests(in namespace: String) async throws -> [JSONValue] {
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/rbac", timeout: .seconds(30))
        guard response.status == 200 else { throw E2EError("rbac decisions: HTTP \(response.status)") }
        return (try JSONValue(parsing: response.body)["denied"]?.arrayValue ?? []).filter { $0["namespace"]?.stringValue == namespace }
    }

    // MARK: The emulator's admin API

    /// Makes the next matching requests fail (`POST /emulator.fledge.dev/faults`).
    func injectFault(path: String, verb: String? = nil, code: Int, count: Int = 1) async throws {
        var body: [String: JSONValue] = ["path": .string(path), "code": .number(Double(code)), "count": .number(Double(count))]
        if let verb { body["verb"] = .string(verb) }
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/faults", method: "POST", json: .object(body))
        guard (200..<300).contains(response.status) else { throw E2EError("injecting a fault: HTTP \(response.status) \(response.body)") }
    }

    /// Ends every open watch.
    func dropWatches() async throws {
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/drop-watches", method: "POST")
        guard (200..<300).contains(response.status) else { throw E2EError("drop-watches: HTTP \(response.status) \(response.body)") }
    }

    /// Forgets the event history: every watch resumed from an older resourceVersion gets 410 Gone.
    func expireWatchWindow() async throws {
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/expire-watch-window", method: "POST")
        guard (200..<300).contains(response.status) else { throw E2EError("expire-watch-window: HTTP \(response.status) \(response.body)") }
    }

    /// The log of mutating requests (`GET /emulator.fledge.dev/requests`), oldest first.
    func requestLog() async throws -> [JSONValue] {
        let response = try await HTTP.request("\(emulatorURL)/emulator.fledge.dev/requests", timeout: .seconds(30))
        guard response.status == 200 else { throw E2EError("request log: HTTP \(response.status)") }
        return try JSONValue(parsing: response.body)["items"]?.arrayValue ?? []
    }
}
