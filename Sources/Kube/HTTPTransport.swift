import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The ``Transport`` over HTTP/1.1 with AsyncHTTPClient: TLS with the cluster CA (or none, when told to skip
/// verification), client certificates, bearer or basic authentication from a ``CredentialProvider``.
///
/// A 401 with credentials that can be refreshed (token file, exec plugin) drops the cached credentials and
/// retries once. Call ``shutdown()`` when done.
public final class HTTPTransport: Transport {
    public let configuration: ClientConfiguration
    public let credentials: CredentialProvider
    private let client: HTTPClient
    private let baseTLS: TLSConfiguration?
    /// TLS configurations with a plugin-provided client certificate, by certificate bytes.
    private let tlsCache = Mutex<[[UInt8]: TLSConfiguration]>([:])

    public init(configuration: ClientConfiguration, credentials: CredentialProvider? = nil) throws {
        self.configuration = configuration
        self.credentials = credentials ?? CredentialProvider(configuration.authentication)
        var config = HTTPClient.Configuration()
        config.httpVersion = .http1Only
        config.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: nil)
        config.redirectConfiguration = .disallow
        config.decompression = .disabled
        // Fail fast on refused connections and TLS failures (AsyncHTTPClient would otherwise retry until the
        // connect timeout); callers such as reconcilers retry with their own backoff.
        config.connectionPool.retryConnectionEstablishment = false
        if configuration.server.scheme == "https" {
            let tls = try Self.tlsConfiguration(configuration.tls, clientCertificate: nil, clientKey: nil)
            config.tlsConfiguration = tls
            baseTLS = tls
        } else {
            baseTLS = nil
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Closes connections. Pending requests fail.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    static func tlsConfiguration(_ settings: TLSSettings, clientCertificate: [UInt8]?, clientKey: Secret?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["http/1.1"]
        // Wait at most 1 s (NIOSSL's default is 5 s) for the server's close_notify when we close a connection,
        // e.g. after a cancelled watch; the emulator does not answer it while a watch stream is open.
        tls.shutdownTimeout = .seconds(1)
        do {
            if settings.insecureSkipVerify {
                tls.certificateVerification = .none
            } else if let ca = settings.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let cert = clientCertificate ?? settings.clientCertificatePEM, let key = clientKey ?? settings.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.value.utf8), format: .pem))
            }
        } catch {
            // NIOSSL errors name no key material, but say only what failed to be safe.
            throw KubeConfigError.invalidKubeconfig("cannot load TLS certificates or key: \(type(of: error))")
        }
        return tls
    }

    private func prepare(_ request: Request) async throws -> HTTPClientRequest {
        let creds = try await credentials.credentials()
        var r = HTTPClientRequest(url: configuration.server.absoluteString.trimmingSuffix("/") + request.pathAndQuery)
        r.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in request.headers { r.headers.replaceOrAdd(name: name, value: value) }
        r.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        if let auth = creds.authorization { r.headers.replaceOrAdd(name: "Authorization", value: auth.value) }
        if let body = request.body {
            r.body = .bytes(ByteBuffer(bytes: body))
        }
        if let cert = creds.clientCertificatePEM, let key = creds.clientKeyPEM, configuration.server.scheme == "https" {
            r.tlsConfiguration = try tlsCache.withLock { cache in
                if let cached = cache[cert] { return cached }
                let tls = try Self.tlsConfiguration(configuration.tls, clientCertificate: cert, clientKey: key)
                cache[cert] = tls
                return tls
            }
        }
        return r
    }

    private func execute(_ request: Request, timeout: Duration, deadline: NIODeadline? = nil) async throws -> HTTPClientResponse {
        let deadline = deadline ?? .now() + TimeAmount(timeout)
        var attempt = 0
        while true {
            attempt += 1
            let prepared = try await prepare(request)
            let response: HTTPClientResponse
            do {
                response = try await client.execute(prepared, deadline: deadline)
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                throw KubeError.timeout(Status(message: "no response within \(timeout)", reason: "Timeout", code: 504))
            } catch let error as KubeError {
                throw error
            } catch {
                throw KubeError.transport(Self.describe(error))
            }
            if response.status == .unauthorized, attempt == 1, credentials.canRefresh {
                await credentials.invalidate()
                _ = try? await response.body.collect(upTo: 1 << 20)
                continue
            }
            return response
        }
    }

    /// The whole exchange within `timeout`: the HTTP client's own deadline bounds the response head, and a timer on
    /// its event loop (removed from the loop when the body arrives first) cancels a body still arriving at the
    /// deadline. No task sleeps per request: a cancelled sleep's timer still fires on Linux, which at thousands of
    /// requests kept an idle controller busy.
    public func send(_ request: Request, timeout: Duration) async throws -> Response {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let response = try await execute(request, timeout: timeout, deadline: deadline)
        let collecting = Task { try await response.body.collect(upTo: 256 << 20) }
        let timer = client.eventLoopGroup.any().scheduleTask(deadline: deadline) { collecting.cancel() }
        defer { timer.cancel() }
        let body: ByteBuffer
        do {
            body = try await withTaskCancellationHandler { try await collecting.value } onCancel: { collecting.cancel() }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if NIODeadline.now() >= deadline {
                throw KubeError.timeout(Status(message: "request did not complete within \(timeout)", reason: "Timeout", code: 504))
            }
            throw KubeError.transport(Self.describe(error))
        }
        return Response(status: Int(response.status.code), headers: Self.headers(response.headers), body: Data(body.readableBytesView))
    }

    public func stream(_ request: Request, timeout: Duration) async throws -> StreamingResponse {
        let response = try await execute(request, timeout: timeout)
        let body = response.body
        let lines = AsyncThrowingStream<Data, any Error> { continuation in
            let task = Task {
                var splitter = LineSplitter()
                do {
                    for try await chunk in body {
                        for line in try splitter.append(chunk.readableBytesView) { continuation.yield(line) }
                    }
                    if let last = splitter.finish() { continuation.yield(last) }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Task.isCancelled ? nil : KubeError.transport(Self.describe(error)))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return StreamingResponse(status: Int(response.status.code), headers: Self.headers(response.headers), lines: lines)
    }

    static func headers(_ h: HTTPHeaders) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in h where out[name.lowercased()] == nil { out[name.lowercased()] = value }
        return out
    }

    /// An error's description for `KubeError.transport`: the type and NIO's description, which carry no credentials.
    static func describe(_ error: any Error) -> String {
        "\(type(of: error)): \(error)"
    }
}

extension TimeAmount {
    init(_ d: Duration) {
        let c = d.components
        self = .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
