import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The controller's operational HTTP server, run as a ServiceLifecycle `Service`:
///
/// - `GET /metrics`: Prometheus text exposition of a `PrometheusCollectorRegistry`;
/// - `GET /healthz`: 200 `ok` while every ``Liveness`` check passes, else 503 listing the failing checks;
/// - `GET /readyz`: 200 `ok` while every ``Readiness`` check passes, else 503 listing the failing checks;
/// - anything else: 404.
///
/// Run it once; ``listening()`` reports the bound address (useful with port 0).
public final class OperationsServer: Service, Sendable {
    /// The Prometheus text format's content type.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    private let address: ListenAddress
    private let registry: PrometheusCollectorRegistry
    private let liveness: Liveness
    private let readiness: Readiness
    private let logger: Logger
    private let onListening: (@Sendable (ListeningAddress) -> Void)?
    private let bound = OneShot<ListeningAddress>()

    /// Creates a server for `address`, exposing `registry` and the two check sets.
    /// - Parameter onListening: called once the socket is bound, with the actual address.
    public init(
        address: ListenAddress,
        registry: PrometheusCollectorRegistry,
        liveness: Liveness = Liveness(),
        readiness: Readiness,
        logger: Logger = Logger(label: "fledge.http"),
        onListening: (@Sendable (ListeningAddress) -> Void)? = nil
    ) {
        self.address = address
        self.registry = registry
        self.liveness = liveness
        self.readiness = readiness
        self.logger = logger
        self.onListening = onListening
    }

    /// Creates a server for a `host:port` string; throws ``ListenAddressError`` if it does not parse.
    public convenience init(
        address: String,
        registry: PrometheusCollectorRegistry,
        liveness: Liveness = Liveness(),
        readiness: Readiness,
        logger: Logger = Logger(label: "fledge.http"),
        onListening: (@Sendable (ListeningAddress) -> Void)? = nil
    ) throws {
        try self.init(
            address: ListenAddress(parsing: address), registry: registry, liveness: liveness, readiness: readiness,
            logger: logger, onListening: onListening
        )
    }

    /// Waits until the server is listening and returns where. Throws if the server stopped (or failed to bind)
    /// before listening, or if the calling task is cancelled.
    public func listening() async throws -> ListeningAddress {
        try await bound.value()
    }

    /// Serves until cancelled or gracefully shut down.
    public func run() async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(address.host, port: address.port)),
            onServerRunning: { [bound, onListening, logger, address] channel in
                let local = channel.localAddress
                let listening = ListeningAddress(host: local?.ipAddress ?? address.host, port: local?.port ?? address.port)
                logger.info("operations server listening", metadata: ["address": "\(listening)"])
                bound.complete(.success(listening))
                onListening?(listening)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            bound.complete(.failure(error))
            throw error
        }
        bound.complete(.failure(OperationsServerError.stoppedBeforeListening))
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { [registry] _, _ -> Response in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: Self.metricsContentType],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        router.get("healthz") { [liveness] _, _ in
            Self.respond(liveness.evaluate(), endpoint: "healthz")
        }
        router.get("readyz") { [readiness] _, _ in
            Self.respond(readiness.evaluate(), endpoint: "readyz")
        }
        return router
    }

    private static func respond(_ status: HealthStatus, endpoint: String) -> Response {
        Response(
            status: status.isHealthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: status.body(endpoint: endpoint)))
        )
    }
}

/// Failures of ``OperationsServer/listening()``.
public enum OperationsServerError: Error, Sendable, Equatable {
    /// The server returned without ever listening.
    case stoppedBeforeListening
}
