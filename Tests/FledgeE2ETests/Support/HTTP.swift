import AsyncHTTPClient
import Foundation
import KubeJSON
import NIOCore
import PrometheusTesting
import TestSupport

/// Small HTTP calls the harness makes: readiness probes, the emulator's admin API, the controller's /healthz.
enum HTTP {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    /// One request; `timeout` is scaled by ``TestTimeouts``.
    static func request(_ url: String, method: String = "GET", json: JSONValue? = nil,
                        timeout: Duration = .seconds(10)) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try json.data()))
        }
        let limit = TestTimeouts.scaled(timeout)
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(limit.components.seconds) * 1_000_000_000))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Response(status: Int(response.status.code), body: String(buffer: body))
    }

    /// True when `url` answers 200 (false for any error).
    static func answers200(_ url: String) async -> Bool {
        (try? await request(url, timeout: .seconds(2)).status) == 200
    }
}
