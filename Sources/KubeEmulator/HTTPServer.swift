import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The SwiftNIO HTTP/1.1 server: keep-alive, whole-body requests, chunked streaming responses.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (EmulatorRequest) async -> EmulatorResponse

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let connections: Connections

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, connections: Connections) {
        self.group = group
        self.channel = channel
        self.connections = connections
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(host: String, port: Int, tls: NIOSSLContext?, handler: @escaping Handler) async throws -> HTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let connections = Connections()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard connections.add(channel) else { throw ChannelError.ioOnClosedChannel }
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(KeepReadingHandler())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler, tls: tls != nil, connections: connections))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return HTTPServer(group: group, channel: channel, connections: connections)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops accepting, lets the responses in progress finish (the caller has ended the watches, so their streams
    /// end), closes every connection and only then stops the event loops, so no write meets a stopped loop.
    func shutdown(grace: Duration = .seconds(5)) async {
        try? await channel.close()
        await connections.finishResponses(grace: grace)
        for c in connections.closeAll() { try? await c.closeFuture.get() }
        try? await group.shutdownGracefully()
    }
}

/// Keeps the socket read while a response is in progress.
///
/// NIO's pipelining assistance stops reading once a request is complete until its response ends. Where the event
/// loop reports a peer's close only through a read (kqueue on macOS; Linux's epoll reports it early anyway), a client
/// that closed an open watch would not be noticed until the next write to it. Reading on (pipelined requests are
/// still queued by the pipelining handler) lets the end of the stream close the channel at once, which cancels the
/// response task and unregisters the watcher.
final class KeepReadingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        context.read()
    }
}

/// The open connections and the response tasks in progress, for a clean shutdown.
final class Connections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextTask = 0
        var closing = false
    }
    private let state = Mutex(State())

    /// Registers a new connection (false once shutting down); it unregisters itself when closed.
    func add(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { s in
            if s.closing { return false }
            s.channels[id] = channel
            return true
        }
        if accepted { channel.closeFuture.whenComplete { [self] _ in _ = state.withLock { $0.channels.removeValue(forKey: id) } } }
        return accepted
    }

    /// Runs `body` as a tracked response task.
    func run(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLock { s in
            s.nextTask += 1
            let id = s.nextTask
            let task = Task { [self] in
                await body()
                _ = state.withLock { $0.tasks.removeValue(forKey: id) }
            }
            s.tasks[id] = task
            return task
        }
    }

    var openCount: Int { state.withLock { $0.channels.count } }
    var responsesInProgress: Int { state.withLock { $0.tasks.count } }

    /// Waits until every response task has ended, cancelling those still running after `grace`.
    func finishResponses(grace: Duration) async {
        let deadline = ContinuousClock.now + grace
        while responsesInProgress > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        let left = state.withLock { Array($0.tasks.values) }
        for t in left { t.cancel() }
        for t in left { await t.value }
    }

    /// Refuses new connections and closes the open ones; returns them.
    func closeAll() -> [any Channel] {
        let open = state.withLock { s in
            s.closing = true
            return Array(s.channels.values)
        }
        for c in open { c.close(promise: nil) }
        return open
    }
}

/// Collects one request, runs the handler in a task, writes the response back on the channel.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: HTTPServer.Handler
    let tls: Bool
    let connections: Connections
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var running: Task<Void, Never>?

    init(handler: @escaping HTTPServer.Handler, tls: Bool, connections: Connections) {
        self.handler = handler
        self.tls = tls
        self.connections = connections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            self.head = nil
            body = nil
            let channel = context.channel
            var hasCert = false
            if tls, let sslHandler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) {
                hasCert = sslHandler.peerCertificate != nil
            }
            let request = EmulatorRequest(method: head.method.rawValue, uri: head.uri,
                                          headers: head.headers.map { ($0.name, $0.value) }, body: bytes,
                                          hasClientCertificate: hasCert)
            let keepAlive = head.isKeepAlive
            let version = head.version
            let handler = self.handler
            running = connections.run {
                let response = await handler(request)
                await Self.write(response, to: channel, version: version, keepAlive: keepAlive)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        running?.cancel()
        context.fireChannelInactive()
    }

    static func write(_ response: EmulatorResponse, to channel: any Channel, version: HTTPVersion, keepAlive: Bool) async {
        switch response {
        case .full(let status, let headers, let body):
            var h = HTTPHeaders(headers)
            h.replaceOrAdd(name: "Content-Length", value: String(body.count))
            h.replaceOrAdd(name: "Date", value: HTTPDate.now())
            h.replaceOrAdd(name: "Audit-Id", value: UUIDString.make())
            if !keepAlive { h.replaceOrAdd(name: "Connection", value: "close") }
            var buffer = channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: .init(statusCode: status), headers: h)), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            if !keepAlive { channel.close(promise: nil) }
        case .stream(let status, let headers, let chunks):
            var h = HTTPHeaders(headers)
            h.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            h.replaceOrAdd(name: "Date", value: HTTPDate.now())
            h.replaceOrAdd(name: "Audit-Id", value: UUIDString.make())
            channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: .init(statusCode: status), headers: h)), promise: nil)
            for await chunk in chunks {
                if !channel.isActive { break }
                var buffer = channel.allocator.buffer(capacity: chunk.count)
                buffer.writeBytes(chunk)
                try? await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)))
            }
            if channel.isActive {
                try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}

enum UUIDString {
    static func make() -> String { UUID().uuidString.lowercased() }
}

enum HTTPDate {
    static func now() -> String {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(tmv.tm_wday)]), \(two(tmv.tm_mday)) \(months[Int(tmv.tm_mon)]) \(tmv.tm_year + 1900) \(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) GMT"
    }
}
