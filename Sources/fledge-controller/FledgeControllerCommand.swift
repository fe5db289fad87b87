import ArgumentParser
import FledgeServer
import Foundation
import Kube
import KubeRuntime
import Logging
import PromQLSelectors
import RolloutAPI
import RolloutController
import ServiceLifecycle

/// `fledge-controller`: the Rollout controller process.
@main
struct FledgeControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fledge-controller",
        abstract: "Moves Rollouts to new versions step by step, gated by canary analysis.")

    @Option(help: "Path to a kubeconfig (default: KUBECONFIG, ~/.kube/config, else in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: .customLong("namespace"), help: "A namespace to watch (repeat for several; default: all namespaces).")
    var namespaces: [String] = []

    @Option(help: "Reconcile workers.")
    var workers = 4

    @Flag(inversion: .prefixedNo, help: "Run only while holding the leader Lease (on by default).")
    var leaderElect = true

    @Option(name: .customLong("leader-election-namespace"), help: "Namespace of the leader Lease (default: POD_NAMESPACE, else fledge-system).")
    var leaderElectionNamespace: String?

    @Option(name: .customLong("leader-election-id"), help: "Name of the leader Lease.")
    var leaderElectionID = "fledge-controller"

    @Option(name: .customLong("leader-election-lease-duration"),
            help: "How long a follower waits after it last saw the Lease renewed before it takes over, e.g. 15s.")
    var leaseDuration = "15s"

    @Option(name: .customLong("leader-election-renew-deadline"),
            help: "How long the leader may go without a successful renew before it stops writing (less than the lease duration), e.g. 10s.")
    var renewDeadline = "10s"

    @Option(name: .customLong("leader-election-retry-period"), help: "How often the Lease is renewed or tried, e.g. 2s.")
    var retryPeriod = "2s"

    @Option(name: .customLong("metrics-address"), help: "Address of /metrics, /healthz and /readyz (host:port; port 0 picks one).")
    var metricsAddress = ":8080"

    @Flag(name: .customLong("allow-cross-namespace-routes"),
          help: "Let a Rollout name an HTTPRoute in another namespace (off: such a Rollout is an InvalidSpec).")
    var allowCrossNamespaceRoutes = false

    @Option(name: .customLong("prometheus-address"), help: "Prometheus URL for Rollouts that name none.")
    var prometheusAddress: String?

    @Option(name: .customLong("allowed-prometheus-address"),
            help: "The only Prometheus a Rollout may name besides --prometheus-address (repeat for several; default: any). Another is an InvalidSpec.")
    var allowedPrometheusAddresses: [String] = []

    @Option(name: .customLong("query-namespace-label"),
            help: "Confine every query to series whose LABEL is the Rollout's namespace (added to every selector; a query that cannot be confined is an InvalidSpec).")
    var queryNamespaceLabel: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "json or text (default: json).")
    var logFormat = "json"

    @Option(name: .customLong("kube-api-qps"), help: "Requests per second to the Kubernetes API (sustained).")
    var kubeAPIQPS: Double = 200

    @Option(name: .customLong("kube-api-burst"), help: "Requests the client may send at once above the rate.")
    var kubeAPIBurst = 400

    @Option(name: .customLong("resync"), help: "Reconcile every Rollout at least this often, e.g. 10m (0 disables).")
    var resync = "10m"

    func validate() throws {
        guard workers > 0 else { throw ValidationError("--workers must be at least 1") }
        guard kubeAPIQPS > 0, kubeAPIBurst > 0 else { throw ValidationError("--kube-api-qps and --kube-api-burst must be above 0") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \"\(logLevel)\"") }
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be json or text") }
        guard RolloutDuration.parse(resync) != nil else { throw ValidationError("--resync: not a duration: \"\(resync)\"") }
        for (flag, value) in [("lease-duration", leaseDuration), ("renew-deadline", renewDeadline), ("retry-period", retryPeriod)] {
            guard let d = RolloutDuration.parse(value), d > .zero else {
                throw ValidationError("--leader-election-\(flag): not a positive duration: \"\(value)\"")
            }
        }
        let (lease, renew, retry) = leaseTiming
        guard lease > renew, renew > retry else {
            throw ValidationError("leader election needs lease duration > renew deadline > retry period; got \(leaseDuration), \(renewDeadline), \(retryPeriod)")
        }
        for address in [prometheusAddress].compactMap({ $0 }) + allowedPrometheusAddresses where URL(string: address)?.host == nil {
            throw ValidationError("--prometheus-address and --allowed-prometheus-address must be URLs such as http://prometheus:9090, got \"\(address)\"")
        }
        if let label = queryNamespaceLabel, !LabelMatcher.isValidLabelName(label) || label == "__name__" {
            throw ValidationError("--query-namespace-label must be a Prometheus label name such as namespace, got \"\(label)\"")
        }
    }

    var leaseTiming: (Duration, Duration, Duration) {
        (RolloutDuration.parse(leaseDuration) ?? .seconds(15), RolloutDuration.parse(renewDeadline) ?? .seconds(10),
         RolloutDuration.parse(retryPeriod) ?? .seconds(2))
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let observability = try ProcessObservability.bootstrap(ObservabilityOptions(
            logLevel: Logger.Level(rawValue: logLevel) ?? .info, logFormat: LogFormat(rawValue: logFormat) ?? .json,
            operationsAddress: metricsAddress, readinessChecks: ["informers": "caches not synced"]))
        let logger = Logger(label: "fledge.controller")

        let identity = environment["POD_NAME"] ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        var clientConfiguration = try ClientConfiguration.detect(kubeconfigPath: kubeconfig, context: context)
        clientConfiguration.qps = kubeAPIQPS
        clientConfiguration.burst = kubeAPIBurst
        clientConfiguration.userAgent = "fledge-controller (\(identity))"
        let client = try KubeClient(configuration: clientConfiguration, logger: logger)
        // The Lease has a client of its own: its own connections and rate budget, so renewals never queue behind
        // the reconcilers' requests (a busy controller must not starve its own leadership).
        var leaseConfiguration = clientConfiguration
        leaseConfiguration.qps = 5
        leaseConfiguration.burst = 10
        leaseConfiguration.userAgent = "fledge-controller (\(identity)) leader-election"
        let leaseClient = try KubeClient(configuration: leaseConfiguration, logger: logger)
        let term = leaderElect ? LeadershipTerm() : LeadershipTerm.unbounded()
        var options = FledgeControllerOptions()
        options.term = term
        options.namespaces = namespaces
        options.workers = workers
        options.defaults = RolloutDefaults(prometheusAddress: prometheusAddress, crossNamespaceRoutes: allowCrossNamespaceRoutes,
                                           allowedPrometheusAddresses: allowedPrometheusAddresses, queryNamespaceLabel: queryNamespaceLabel)
        let resyncPeriod = RolloutDuration.parse(resync) ?? .seconds(600)
        options.resyncPeriod = resyncPeriod == .zero ? nil : resyncPeriod
        let fledge = FledgeController(client: client, options: options, metricsSource: PrometheusMetricsSource(),
                                      metrics: ControllerMetrics(), logger: logger)

        // Ready once the caches have synced, leader or follower alike: the informers run on every replica, so a
        // follower is a warm standby, and a rolling upgrade of the controller (2 replicas, maxUnavailable 1) must
        // not wait for a new pod that cannot lead while the old one holds the Lease.
        let readiness = CacheSyncReadiness(readiness: observability.readiness) { try await fledge.waitForSync() }
        let workerService = SyncedService(fledge.controller) { try await fledge.waitForSync() }
        let led: any ServiceLifecycle.Service
        if leaderElect {
            let namespace = leaderElectionNamespace ?? environment["POD_NAMESPACE"] ?? "fledge-system"
            let (lease, renew, retry) = leaseTiming
            let elector = LeaderElector(
                configuration: LeaderElectionConfiguration(leaseName: leaderElectionID, identity: identity, leaseDuration: lease,
                                                           renewDeadline: renew, retryPeriod: retry),
                leaseStore: KubeLeaseStore(client: leaseClient, namespace: namespace), services: [workerService], term: term,
                logger: logger)
            observability.readiness.addDetail("leader-election") {
                if elector.isLeader { return "leader (\(identity))" }
                return "follower (\(identity)); leader: \(elector.observedLeader ?? "none observed")"
            }
            led = elector
        } else {
            observability.readiness.addDetail("leader-election") { "off (this process acts alone)" }
            led = workerService
        }
        let announce = AnnounceService(server: observability.server)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: (observability.services + [announce, readiness] + fledge.informers + [led]).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("starting", metadata: [
            "namespaces": "\(namespaces.isEmpty ? "all" : namespaces.joined(separator: ","))", "workers": "\(workers)",
            "leaderElection": "\(leaderElect)",
        ])
        do {
            try await group.run()
        } catch {
            logger.error("stopped", metadata: ["error": "\(error)"])
            await fledge.shutdown()
            try? await client.shutdown()
            try? await leaseClient.shutdown()
            throw ExitCode(1)
        }
        await fledge.shutdown()
        try? await client.shutdown()
        try? await leaseClient.shutdown()
    }
}

/// Passes the `informers` readiness check once `sync` returns (every informer has listed), then waits for
/// shutdown. Runs on every replica, not under leader election.
struct CacheSyncReadiness: ServiceLifecycle.Service {
    let readiness: Readiness
    let sync: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await sync() }
        } catch is CancellationError {
            return
        }
        readiness.pass("informers")
        try await gracefulShutdown()
    }
}

/// Prints `metrics listening on URL` once the operations server listens, so scripts and tests can find it.
struct AnnounceService: ServiceLifecycle.Service {
    let server: OperationsServer

    func run() async throws {
        let address = try await server.listening()
        FileHandle.standardOutput.write(Data("metrics listening on \(address.url)\n".utf8))
        try await gracefulShutdown()
    }
}

