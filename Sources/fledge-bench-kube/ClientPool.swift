import BenchSupport
import Foundation
import Kube

/// The concurrent clients of the request-rate measurements: one ``KubeClient`` (its own AsyncHTTPClient, hence
/// its own keep-alive connection) per worker, with the client-side rate limit effectively off so that the
/// figures are the emulator's and the client's cost, not the token bucket's.
struct ClientPool: Sendable {
    let clients: [KubeClient]

    init(server: URL, count: Int) throws {
        let config = ClientConfiguration(server: server, namespace: "default", requestTimeout: .seconds(60),
                                         qps: 1e9, burst: 1_000_000_000, maxRetries: 0, userAgent: "fledge-bench-kube")
        clients = try (0..<count).map { _ in try KubeClient(configuration: config) }
    }

    /// Runs `body(worker, client, i)` for every `i` in `0..<total`, the work split evenly over the clients
    /// (worker `w` takes every `clients.count`-th index from `w`); returns each request's latency in nanoseconds.
    func run(total: Int,
             _ body: @escaping @Sendable (_ client: KubeClient, _ index: Int) async throws -> Void) async throws -> [Int64] {
        let workers = clients.count
        return try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (w, client) in clients.enumerated() {
                group.addTask {
                    var latencies: [Int64] = []
                    latencies.reserveCapacity(total / workers + 1)
                    var i = w
                    while i < total {
                        let start = Nanos.now()
                        try await body(client, i)
                        latencies.append(Nanos.now() - start)
                        i += workers
                    }
                    return latencies
                }
            }
            var all: [Int64] = []
            for try await part in group { all += part }
            return all
        }
    }

    func shutdown() async {
        for c in clients { try? await c.shutdown() }
    }
}
