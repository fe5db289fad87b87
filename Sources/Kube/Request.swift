import Foundation

/// One HTTP request to the API server, as a value: built by pure functions (``RequestBuilder``), sent by a
/// ``Transport``. Holds no credentials; the transport adds them.
public struct Request: Sendable, Equatable, CustomStringConvertible {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    /// One `name=value` query parameter (kept in order; values are escaped when the URL is built).
    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: Method
    /// The URL path, already escaped, e.g. `/apis/apps/v1/namespaces/prod/deployments/web`.
    public var path: String
    public var query: [QueryItem]
    /// Request headers other than authentication (`Accept`, `Content-Type`).
    public var headers: [String: String]
    public var body: Data?
    /// The Kubernetes verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`).
    public var verb: String

    public init(method: Method, path: String, query: [QueryItem] = [], headers: [String: String] = ["Accept": "application/json"],
                body: Data? = nil, verb: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.verb = verb
    }

    /// The escaped query string without `?` ("" when there is none).
    public var queryString: String {
        query.map { "\(PathEscaping.query($0.name))=\(PathEscaping.query($0.value))" }.joined(separator: "&")
    }

    /// Path and query, as sent on the request line.
    public var pathAndQuery: String { query.isEmpty ? path : "\(path)?\(queryString)" }

    /// The value of query parameter `name`.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// Whether this is a long-running watch.
    public var isWatch: Bool { verb == "watch" }

    /// Whether repeating the request cannot change the outcome (safe to retry after 429 or a dropped connection).
    public var isIdempotent: Bool { method == .get || method == .put || method == .delete }

    public var description: String { "\(method.rawValue) \(pathAndQuery)" }
}
