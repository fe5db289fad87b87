import Foundation

/// `fledge-controller` as a process, scoped to one namespace, without leader election, with its HTTP endpoints on
/// a free port, as the fledge-controller service account (the shipped RBAC decides what it may do). It can be killed (SIGKILL) and started again with the same arguments and log.
final class ControllerProcess: @unchecked Sendable {
    let name: String
    let arguments: [String]
    let logDirectory: URL
    private let lock = NSLock()
    private var process: ManagedProcess?
    private var metricsURL: String?

    private init(name: String, arguments: [String], logDirectory: URL) {
        self.name = name
        self.arguments = arguments
        self.logDirectory = logDirectory
    }

    /// Starts a controller for `namespace` and waits for `metrics listening on http://…`.
    static func start(environment: E2EEnvironment, namespace: String, prometheusAddress: String,
                      leaderElection: Bool = false, name: String? = nil,
                      extraArguments: [String] = []) async throws -> ControllerProcess {
        let election = leaderElection ? ["--leader-elect", "--leader-election-namespace", namespace] : ["--no-leader-elect"]
        let arguments = [
            "--kubeconfig", environment.controllerKubeconfig,
            "--namespace", namespace,
        ] + election + [
            "--workers", "4",
            "--metrics-address", "127.0.0.1:0",
            "--prometheus-address", prometheusAddress,
            "--log-level", "debug",
        ] + extraArguments
        let controller = ControllerProcess(name: name ?? "controller-\(namespace)", arguments: arguments,
                                           logDirectory: environment.logDirectory)
        try await controller.start()
        return controller
    }

    /// Starts (or starts again) the process.
    func start() async throws {
        let skipped = lock.withLock { self.process?.outputLineCount ?? 0 }
        let process = try ManagedProcess.start(name: name, executable: try E2EPaths.executable("fledge-controller"),
                                               arguments: arguments, logDirectory: logDirectory)
        lock.withLock { self.process = process }
        let address = try await process.waitForLine(startingWith: "metrics listening on http://", after: skipped)
        lock.withLock { metricsURL = "http://" + address.trimmingCharacters(in: CharacterSet.whitespaces) }
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// The base URL of /metrics, /healthz, /readyz.
    var endpoint: String { lock.withLock { metricsURL ?? "" } }

    /// Kills the controller with SIGKILL: no graceful shutdown, whatever it was doing is cut off.
    func kill9() async {
        let process = lock.withLock { self.process }
        await process?.kill9()
    }

    /// Stops the controller gracefully (SIGTERM).
    func stop() async {
        let process = lock.withLock { self.process }
        await process?.stop()
    }

    func logTail(_ characters: Int = 6000) -> String {
        lock.withLock { process }?.logTail(characters) ?? ""
    }
}
