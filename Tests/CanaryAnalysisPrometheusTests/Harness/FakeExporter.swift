import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One series of the OpenTelemetry HTTP server histogram as the exporter shows it.
struct HistogramSeries: Sendable {
    /// Label name and value pairs, in order.
    var labels: [(String, String)]
    /// The `_count` value.
    var count: Double
    /// Cumulative bucket values for the finite bounds of ``FakeExporter/bounds``; `+Inf` is `count`.
    var buckets: [Double]
}

/// One gauge sample (for `target_info` and user-query metrics).
struct GaugeSample: Sendable {
    var name: String
    var labels: [(String, String)]
    var value: Double
}

/// A tiny Prometheus exporter on 127.0.0.1 (SwiftNIO): it serves, in the text exposition
/// format, whatever series the tests set, plus `fledge_test_generation`, which grows with every
/// change so a test can tell when Prometheus has scraped it.
final class FakeExporter: Sendable {
    /// The finite bucket bounds of every histogram series.
    static let bounds = ["0.1", "0.5", "1"]
    static let metric = "http_server_request_duration_seconds"

    private struct State {
        var generation = 0
        var scrapeable = true
        var histograms: [String: [HistogramSeries]] = [:]
        var gauges: [String: [GaugeSample]] = [:]
        var requests: [(method: String, uri: String, authorization: String?)] = []
    }

    private let state = Mutex(State())
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start() async throws -> FakeExporter {
        let holder = Holder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ExporterHandler(
                        render: { holder.render() }, record: { holder.record($0) }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("exporter: no local port") }
        let exporter = FakeExporter(channel: channel, port: port)
        holder.exporter.withLock { $0 = exporter }
        return exporter
    }

    /// Replaces the series of one test (keyed by `key`) and returns the new generation.
    @discardableResult
    func set(_ key: String, histograms: [HistogramSeries], gauges: [GaugeSample] = []) -> Int {
        state.withLock {
            $0.histograms[key] = histograms
            $0.gauges[key] = gauges
            $0.generation += 1
            return $0.generation
        }
    }

    /// While `false`, every request is answered with HTTP 503, as when a pod's metrics endpoint is down:
    /// Prometheus records `up` 0 and no samples of the exporter's series.
    func setScrapeable(_ scrapeable: Bool) {
        state.withLock { $0.scrapeable = scrapeable }
    }

    private func record(_ head: HTTPRequestHead) {
        state.withLock { $0.requests.append((head.method.rawValue, head.uri, head.headers.first(name: "Authorization"))) }
    }

    /// The requests served so far whose URI starts with `prefix`.
    func requests(to prefix: String) -> [(method: String, uri: String, authorization: String?)] {
        state.withLock { $0.requests.filter { $0.uri.hasPrefix(prefix) } }
    }

    func stop() async {
        try? await channel.close()
    }

    /// The exposition text; nil while the exporter is not scrapeable.
    func render() -> String? {
        let s = state.withLock { $0 }
        guard s.scrapeable else { return nil }
        var lines = ["# TYPE fledge_test_generation gauge", "fledge_test_generation \(s.generation)"]
        lines.append("# TYPE \(Self.metric) histogram")
        for key in s.histograms.keys.sorted() {
            for series in s.histograms[key] ?? [] {
                for (bound, value) in zip(Self.bounds, series.buckets) {
                    lines.append("\(Self.metric)_bucket\(Self.labelText(series.labels + [("le", bound)])) \(value)")
                }
                lines.append("\(Self.metric)_bucket\(Self.labelText(series.labels + [("le", "+Inf")])) \(series.count)")
                lines.append("\(Self.metric)_sum\(Self.labelText(series.labels)) 0")
                lines.append("\(Self.metric)_count\(Self.labelText(series.labels)) \(series.count)")
            }
        }
        let gauges = s.gauges.keys.sorted().flatMap { s.gauges[$0] ?? [] }
        for name in Set(gauges.map(\.name)).sorted() {
            lines.append("# TYPE \(name) gauge")
            for g in gauges where g.name == name { lines.append("\(name)\(Self.labelText(g.labels)) \(g.value)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{a="x",b="y"}` with the exposition format's escaping of label values.
    static func labelText(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { name, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }.joined(separator: ",") + "}"
    }

    /// Lets the channel initializer reach the exporter created after the bind.
    private final class Holder: Sendable {
        let exporter = Mutex<FakeExporter?>(nil)
        func render() -> String? { exporter.withLock { $0 }?.render() }
        func record(_ head: HTTPRequestHead) { exporter.withLock { $0 }?.record(head) }
    }
}

/// Answers every request with the exporter's current text (HTTP 503 while it is not scrapeable).
private final class ExporterHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> String?
    private let record: @Sendable (HTTPRequestHead) -> Void

    init(render: @escaping @Sendable () -> String?, record: @escaping @Sendable (HTTPRequestHead) -> Void) {
        self.render = render
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .head(let head) = part { record(head) }
        guard case .end = part else { return }
        let rendered = render()
        let body = rendered ?? "the exporter is down\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        let status: HTTPResponseStatus = rendered == nil ? .serviceUnavailable : .ok
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A harness failure with a message that says what to do.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
