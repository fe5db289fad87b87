import AsyncHTTPClient
import Foundation
import KubeEmulator
import KubeJSON
import NIOCore
import NIOHTTP1
import NIOSSL
import TestSupport

/// A small HTTP client for talking to an emulator in tests.
struct TestClient {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: JSONValue
        var text: String
    }

    let base: String
    let http: HTTPClient

    static let shared = HTTPClient(eventLoopGroupProvider: .singleton)

    init(_ emulator: KubeEmulator, http: HTTPClient = TestClient.shared) {
        base = emulator.url.absoluteString
        self.http = http
    }

    init(base: String, http: HTTPClient) {
        self.base = base
        self.http = http
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/json",
              accept: String? = nil, headers: [(String, String)] = []) async throws -> Response {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try body.data()))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        request.headers.add(name: "User-Agent", value: "emulator-tests/1.0")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let text = String(buffer: bytes)
        return Response(status: Int(response.status.code), headers: response.headers, body: (try? JSONValue(parsing: text)) ?? .null, text: text)
    }

    func get(_ path: String, accept: String? = nil) async throws -> Response { try await send(.GET, path, accept: accept) }
    func post(_ path: String, _ body: JSONValue) async throws -> Response { try await send(.POST, path, body) }
    func put(_ path: String, _ body: JSONValue) async throws -> Response { try await send(.PUT, path, body) }
    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Response { try await send(.DELETE, path, body) }
    func patch(_ path: String, _ body: JSONValue, type: String) async throws -> Response {
        try await send(.PATCH, path, body, contentType: type)
    }

    /// Opens a watch and returns a reader of its event lines.
    func watch(_ path: String, accept: String? = nil) async throws -> WatchReader {
        var request = HTTPClientRequest(url: base + path)
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await http.execute(request, timeout: .seconds(60))
        return WatchReader(status: Int(response.status.code), body: response.body)
    }

    /// Polls until `condition` holds, or fails after `seconds` scaled by ``TestTimeouts`` (`FLEDGE_TEST_TIMEOUT_SCALE`):
    /// a busy machine makes a test slower, never red.
    static func eventually(_ seconds: Double = 10, _ what: String = "condition", _ condition: () async throws -> Bool) async throws {
        try await TestTimeouts.poll(what, limit: .milliseconds(Int(seconds * 1000)), condition)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Reads a watch response line by line.
final class WatchReader: @unchecked Sendable {
    let status: Int
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []

    init(status: Int, body: HTTPClientResponse.Body) {
        self.status = status
        iterator = body.makeAsyncIterator()
    }

    /// The next event, or nil when the stream ended.
    func next() async throws -> JSONValue? {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                if line.isEmpty { continue }
                return try JSONValue(parsing: Data(line))
            }
            guard let chunk = try await iterator.next() else { return nil }
            buffer += Array(chunk.readableBytesView)
        }
    }

    /// The next event that is not a BOOKMARK.
    func nextEvent() async throws -> JSONValue? {
        while let e = try await next() {
            if e["type"]?.stringValue != "BOOKMARK" { return e }
        }
        return nil
    }
}

/// Starts an emulator for one test and shuts it down afterwards.
func withEmulator<T>(_ configure: (inout EmulatorConfiguration) -> Void = { _ in },
                     _ body: (KubeEmulator, TestClient) async throws -> T) async throws -> T {
    var config = EmulatorConfiguration()
    config.deploymentReadyDelay = .milliseconds(50)
    config.bookmarkInterval = .milliseconds(100)
    configure(&config)
    let emulator = try await KubeEmulator.start(config)
    do {
        let result = try await body(emulator, TestClient(emulator))
        await emulator.shutdown()
        return result
    } catch {
        await emulator.shutdown()
        throw error
    }
}

enum Objects {
    static func configMap(_ name: String, data: [String: String] = ["k": "v"], labels: [String: String] = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
         "data": .object(data.mapValues { .string($0) })]
    }

    static func deployment(_ name: String, replicas: Int = 2, annotations: [String: String] = [:], deadline: Int? = nil) -> JSONValue {
        var d: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "annotations": .object(annotations.mapValues { .string($0) })],
            "spec": [
                "replicas": .number(Double(replicas)),
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "app", "image": "nginx:1.27", "ports": [["containerPort": 80]],
                                             "env": [["name": "A", "value": "1"]]]]],
                ],
            ],
        ]
        if let deadline { d[path: ["spec", "progressDeadlineSeconds"]] = .number(Double(deadline)) }
        return d
    }

    static let widgetCRD: JSONValue = {
        try! JSONValue(parsing: Data(contentsOf: Fixtures.url("widgets-crd.json")))
    }()

    static func widget(_ name: String, size: String = "small", replicas: Int = 1, extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["size": .string(size), "replicas": .number(Double(replicas))]
        for (k, v) in extra { spec[k] = v }
        return ["apiVersion": "test.fledge.dev/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }
}

/// Test fixture files (beside this source file).
enum Fixtures {
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }
    static func path(_ name: String) -> String { url(name).path }
}
