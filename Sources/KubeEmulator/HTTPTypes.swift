import Foundation
import KubeJSON

/// A fully received HTTP request.
public struct EmulatorRequest: Sendable {
    public var method: String
    /// The raw request target (path and query).
    public var uri: String
    public var path: String
    public var query: [String: String]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whether the TLS client presented a certificate signed by the emulator's CA.
    public var hasClientCertificate: Bool

    init(method: String, uri: String, headers: [(String, String)], body: [UInt8], hasClientCertificate: Bool) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.hasClientCertificate = hasClientCertificate
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "").removingPercentEncoding ?? String(parts.first ?? "")
        var q: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let k = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
                let v = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
                q[k] = v
            }
        }
        query = q
    }

    /// First value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    var bodyJSON: JSONValue? { try? JSONParser.parse(body) }
}

/// What the server sends back: a whole body, or a stream of chunks (watch).
enum EmulatorResponse: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case stream(status: Int, headers: [(String, String)], chunks: AsyncStream<[UInt8]>)

    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> EmulatorResponse {
        var body = JSONWriter.bytes(value)
        body.append(10)
        return .full(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    static func error(_ e: APIError) -> EmulatorResponse {
        json(e.status, status: e.code, headers: e.headers)
    }


    static func text(_ s: String, status: Int = 200) -> EmulatorResponse {
        .full(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(s.utf8))
    }

    var status: Int {
        switch self {
        case .full(let s, _, _), .stream(let s, _, _): s
        }
    }
}
