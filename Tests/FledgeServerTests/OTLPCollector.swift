// Hummingbird and ServiceLifecycle are not direct dependencies of this test target; they are reachable through
// FledgeServer, which is enough for SwiftPM to build and link them.
import Hummingbird
import Logging
import Synchronization

/// A minimal OTLP/HTTP trace collector: accepts `POST /v1/traces`, keeps each request's body and content type,
/// and answers with an empty protobuf `ExportTraceServiceResponse`.
final class OTLPCollector: Sendable {
    struct Export: Sendable {
        var contentType: String?
        var body: [UInt8]
    }

    private let received = Mutex<[Export]>([])
    private let port = Mutex<(value: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    var exports: [Export] { received.withLock { $0 } }

    /// Serves until cancelled.
    func run() async throws {
        let router = Router()
        router.post("v1/traces") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 8 << 20)
            let export = Export(contentType: request.headers[.contentType], body: Array(buffer: body))
            self.received.withLock { $0.append(export) }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: .init())
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? 0
                let waiters = self.port.withLock { state in
                    state.value = bound
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: bound) }
            },
            logger: Logger(label: "collector", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await app.run()
    }

    /// The bound port, once listening.
    func boundPort() async -> Int {
        await withCheckedContinuation { continuation in
            let ready: Int? = port.withLock { state in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

extension [UInt8] {
    /// Whether `needle`'s UTF-8 bytes occur in these bytes.
    func containsUTF8(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= count else { return pattern.isEmpty }
        for start in 0...(count - pattern.count) where self[start..<start + pattern.count].elementsEqual(pattern) {
            return true
        }
        return false
    }
}
