import ArgumentParser
import Foundation
import Kube
import WorkloadSimulator

/// `fledge-workload`: plays the app of every Ready pod in the (emulated) cluster and serves its HTTP server
/// metrics, shaped as the OpenTelemetry SDK's Prometheus exporter shapes them, for a real Prometheus to scrape.
struct WorkloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fledge-workload",
        abstract: "Simulate HTTP traffic for the Pods in a cluster (or the emulator) and serve it as Prometheus metrics.",
        discussion: """
            Prints exactly one line to stdout once listening: `listening on http://HOST:PORT`. Logs go to stderr.
            Each pod's version and track come only from its container env OTEL_RESOURCE_ATTRIBUTES; its behaviour \
            from DEMO_ERROR_RATE, DEMO_LATENCY_MS, DEMO_SLOW_RATE, DEMO_SLOW_MS and DEMO_ROUTES (see docs/workload-simulator.md).
            """)

    @Option(help: "The kubeconfig to use (default: KUBECONFIG, ~/.kube/config, or in-cluster).")
    var kubeconfig: String?

    @Option(help: "A namespace to watch (repeatable; all namespaces when absent).")
    var namespace: [String] = []

    @Option(help: "A label selector for the pods (e.g. app=shop).")
    var selector: String?

    @Option(help: "Requests per second each service receives in total, split evenly over its Ready pods.")
    var rate: Double = 200

    @Option(help: "host:port to serve /metrics and /state on; port 0 picks a free port.")
    var listen: String = "127.0.0.1:0"

    @Option(help: "Seed of the simulation's random streams (random when absent).")
    var seed: UInt64?

    @Option(name: .customLong("poll-interval"), help: "How often to list the pods (e.g. 500ms, 1s).")
    var pollInterval: String = "500ms"

    @Option(name: .customLong("write-prometheus-config"), help: "Write a prometheus.yml scraping this simulator to this path once listening.")
    var writePrometheusConfig: String?

    @Option(name: .customLong("scrape-interval"), help: "The scrape interval written to that prometheus.yml.")
    var scrapeInterval: String = "1s"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard rate.isFinite, rate >= 0 else { throw ValidationError("--rate must be a non-negative number") }
        guard ListenAddress(parsing: listen) != nil else { throw ValidationError("--listen must be host:port, got \(listen)") }
        guard let poll = DurationText.parse(pollInterval), poll > .zero else {
            throw ValidationError("--poll-interval: not a positive duration: \(pollInterval)")
        }
        guard let scrape = DurationText.parse(scrapeInterval), scrape >= .milliseconds(1) else {
            throw ValidationError("--scrape-interval: not a positive duration: \(scrapeInterval)")
        }
        _ = (poll, scrape)
        guard WorkloadSimulatorLogging.level(logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
    }

    func run() async throws {
        WorkloadSimulatorLogging.bootstrap(level: WorkloadSimulatorLogging.level(logLevel) ?? .info)
        var configuration = WorkloadSimulatorConfiguration()
        configuration.rate = rate
        configuration.listen = ListenAddress(parsing: listen)!
        configuration.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        configuration.pollInterval = DurationText.parse(pollInterval)!
        configuration.prometheusConfigPath = writePrometheusConfig
        configuration.scrapeInterval = DurationText.parse(scrapeInterval)!
        if seed == nil {
            FileHandle.standardError.write(Data("fledge-workload: seed \(configuration.seed) (pass --seed to repeat this run)\n".utf8))
        }

        let clientConfiguration = try kubeconfig.map { try Kubeconfig.load(path: $0) } ?? ClientConfiguration.detect()
        let client = try KubeClient(configuration: clientConfiguration)
        let service = WorkloadSimulatorService(
            configuration: configuration,
            source: PodSource(client: client, namespaces: namespace, selector: selector),
            onListening: { address in
                FileHandle.standardOutput.write(Data("listening on http://\(address)\n".utf8))
            })
        do {
            try await service.runUntilSignalled()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// Parses the command line and runs the command. (`main.swift` is top-level code, where
/// `WorkloadCommand.main()` resolves to ArgumentParser's synchronous overload; this runs it asynchronously the
/// way `AsyncParsableCommand.main()` does.)
enum Entry {
    static func main() async {
        do {
            let command = try WorkloadCommand.parse()
            try await command.run()
        } catch {
            WorkloadCommand.exit(withError: error)
        }
    }
}

await Entry.main()
