import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The workload simulator as a ServiceLifecycle `Service`: a Hummingbird HTTP server with `GET /metrics`
/// (Prometheus text format) and `GET /state` (JSON, ``StateReport``), and the ``SimulationLoop`` that lists the
/// pods and advances their counters. Every scrape and `/state` first advances the counters to now.
///
/// Once the server listens, it writes the Prometheus configuration (when asked) and calls `onListening` with
/// the bound address (the real port when port 0 was asked for); ``listeningAddress()`` waits for it too.
public final class WorkloadSimulatorService: Service {
    public let configuration: WorkloadSimulatorConfiguration
    public let state: SimulationState
    private let source: PodSource
    private let logger: Logger
    private let onListening: @Sendable (ListenAddress) async -> Void
    private let signal = ListeningSignal()

    public init(configuration: WorkloadSimulatorConfiguration, source: PodSource,
                logger: Logger = Logger(label: "fledge.workload"),
                onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) {
        self.configuration = configuration
        self.source = source
        self.logger = logger
        self.onListening = onListening
        state = SimulationState(totalRate: configuration.rate, seed: configuration.seed, logger: logger)
    }

    /// The address the server listens on, once it does.
    public func listeningAddress() async throws -> ListenAddress {
        try await signal.wait()
    }

    public func run() async throws {
        let loop = SimulationLoop(state: state, source: source, pollInterval: configuration.pollInterval,
                                  tickInterval: configuration.tickInterval, logger: logger)
        let application = Application(
            router: router(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "fledge-workload"),
            services: [loop],
            onServerRunning: { [configuration, logger, signal, onListening] channel in
                let address = ListenAddress(host: configuration.listen.host,
                                            port: channel.localAddress?.port ?? configuration.listen.port)
                if let path = configuration.prometheusConfigPath {
                    do {
                        try PrometheusScrapeConfig(target: address, scrapeInterval: configuration.scrapeInterval).write(to: path)
                        logger.info("wrote the Prometheus configuration", metadata: ["path": "\(path)"])
                    } catch {
                        logger.error("could not write the Prometheus configuration",
                                     metadata: ["path": "\(path)", "error": "\(error)"])
                    }
                }
                logger.info("workload simulator listening", metadata: ["address": "\(address)"])
                signal.resolve(.success(address))
                await onListening(address)
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            signal.resolve(.failure(error))
            throw error
        }
        signal.resolve(.failure(WorkloadSimulatorNotListening(description: "the workload simulator stopped")))
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { [state] _, _ -> Response in
            state.advance(to: .now)
            let text = MetricsExposition.render(state.pods())
            return Response(status: .ok, headers: [.contentType: MetricsExposition.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/state") { [state] _, _ -> Response in
            state.advance(to: .now)
            let report = StateReport(ratePerService: state.totalRate, seed: state.seed, pods: state.pods())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let data = try encoder.encode(report)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    /// Runs the simulator until SIGTERM or SIGINT, then shuts down gracefully (for the executable).
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
