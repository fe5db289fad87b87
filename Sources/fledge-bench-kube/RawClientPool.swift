import BenchSupport
import AsyncHTTPClient
import Foundation
import NIOCore

/// The request-rate measurements without the Kube client: `workers` tasks over one AsyncHTTPClient with as many
/// keep-alive connections, each collecting the response body and checking the status but parsing nothing, so
/// the figures are the emulator's (plus AsyncHTTPClient's) cost alone.
final class RawClientPool: Sendable {
    let http: HTTPClient
    let base: String
    let workers: Int

    init(server: URL, workers: Int) {
        var config = HTTPClient.Configuration()
        config.httpVersion = .http1Only
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = workers
        config.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        base = server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
        self.workers = workers
    }

    /// Like ``ClientPool/run(total:_:)``: `request(i)` gives the path of request `i` and, for a PATCH, its merge patch
    /// (a GET without one).
    func run(total: Int, _ request: @escaping @Sendable (Int) -> (path: String, patch: String?)) async throws -> [Int64] {
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for w in 0..<workers {
                group.addTask { [http, base, workers] in
                    var latencies: [Int64] = []
                    var i = w
                    while i < total {
                        let (path, body) = request(i)
                        var r = HTTPClientRequest(url: base + path)
                        if let body {
                            r.method = .PATCH
                            r.headers.add(name: "Content-Type", value: "application/merge-patch+json")
                            r.body = .bytes(ByteBuffer(string: body))
                        }
                        let start = Nanos.now()
                        let response = try await http.execute(r, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        latencies.append(Nanos.now() - start)
                        guard response.status == .ok else { throw BenchError("\(r.method) \(path) answered \(response.status.code)") }
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

    func shutdown() async { try? await http.shutdown() }
}
