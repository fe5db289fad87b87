import Foundation

/// Sends ``Request`` values to an API server: the seam between building requests and doing I/O.
///
/// ``HTTPTransport`` is the real one; tests can supply a scripted transport. Credentials are the transport's
/// business: requests never carry them.
public protocol Transport: Sendable {
    /// Sends a request and collects the whole response, failing after `timeout`.
    func send(_ request: Request, timeout: Duration) async throws -> Response

    /// Opens a streaming request (a watch). The response head must arrive within `timeout`; the body then streams
    /// line by line until the server ends it or the consumer stops iterating.
    func stream(_ request: Request, timeout: Duration) async throws -> StreamingResponse
}

/// A complete HTTP response.
public struct Response: Sendable {
    public var status: Int
    /// Header values by lower-cased name.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A response whose body arrives as newline-separated lines (watch events).
public struct StreamingResponse: Sendable {
    public var status: Int
    /// Header values by lower-cased name.
    public var headers: [String: String]
    /// The body, one line at a time, without the newline; empty lines are skipped.
    public var lines: AsyncThrowingStream<Data, any Error>

    public init(status: Int, headers: [String: String] = [:], lines: AsyncThrowingStream<Data, any Error>) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.lines = lines
    }

    /// Reads the whole remaining body (for an error response).
    public func collectBody() async throws -> Data {
        var data = Data()
        for try await line in lines {
            if !data.isEmpty { data.append(10) }
            data.append(line)
        }
        return data
    }
}

/// Splits a byte stream into lines, however the chunks fall.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    /// Longest line accepted (a watch event is one object; 64 MiB is far above the API server's limit).
    public let maxLineLength: Int

    public init(maxLineLength: Int = 64 << 20) { self.maxLineLength = maxLineLength }

    public enum Failure: Error, Sendable, Equatable { case lineTooLong }

    /// Adds a chunk; returns the lines it completed (without newlines, skipping empty ones).
    public mutating func append(_ chunk: some Sequence<UInt8>) throws(Failure) -> [Data] {
        var lines: [Data] = []
        for byte in chunk {
            if byte == 10 {
                if pending.last == 13 { pending.removeLast() }
                if !pending.isEmpty { lines.append(Data(pending)) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count > maxLineLength { throw .lineTooLong }
            }
        }
        return lines
    }

    /// The unterminated last line, if any.
    public mutating func finish() -> Data? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : Data(pending)
    }
}
