import AsyncHTTPClient
import FledgeServer

/// A response read fully over real HTTP.
struct FetchedResponse {
    var status: Int
    var contentType: String?
    var body: String
}

/// GETs `url` with the shared AsyncHTTPClient.
func fetch(_ url: String) async throws -> FetchedResponse {
    let request = HTTPClientRequest(url: url)
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 4 << 20)
    return FetchedResponse(
        status: Int(response.status.code),
        contentType: response.headers.first(name: "content-type"),
        body: String(buffer: body)
    )
}

/// Runs `server` for the duration of `body`, which receives the server's base URL; cancels the server afterwards.
func withRunningServer<T: Sendable>(
    _ server: OperationsServer,
    _ body: (String) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        do {
            let url = try await server.listening().url
            let result = try await body(url)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
