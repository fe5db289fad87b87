import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The SwiftNIO HTTP/1.1 server: keep-alive, whole-body requests, chunked streaming responses.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (EmulatorRequest) async -> EmulatorResponse

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(host: String, port: Int, tls: NIOSSLContext?, handler: @escaping Handler) async throws -> HTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler, tls: tls != nil))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return HTTPServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Collects one request, runs the handler in a task, writes the response back on the channel.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: HTTPServer.Handler
    let tls: Bool
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var running: Task<Void, Never>?

    init(handler: @escaping HTTPServer.Handler, tls: Bool) {
        self.handler = handler
        self.tls = tls
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
            running = Self.launch(handler, request, channel, version, keepAlive)
        }
    }

    static func launch(_ handler: @escaping HTTPServer.Handler, _ request: EmulatorRequest, _ channel: any Channel,
                       _ version: HTTPVersion, _ keepAlive: Bool) -> Task<Void, Never> {
        Task {
            let response = await handler(request)
            await write(response, to: channel, version: version, keepAlive: keepAlive)
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
