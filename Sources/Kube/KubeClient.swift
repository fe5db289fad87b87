import Foundation
import KubeJSON
import Logging

/// A typed Kubernetes API client: builds requests with ``RequestBuilder``, sends them through a ``Transport``
/// under a client-side rate limit, retries 429s of idempotent requests after `Retry-After`, and turns error
/// responses into ``KubeError``.
///
/// Namespaces: single-object calls with `namespace: nil` use the configured namespace; `list` and `watch` with
/// `namespace: nil` span all namespaces.
///
/// ```swift
/// let client = try KubeClient(configuration: .detect())
/// var d = try await client.get(Deployment.self, name: "web")
/// d.spec?.replicas = 3
/// d = try await client.update(d)
/// ```
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    public let transport: any Transport
    let limiter: RateLimiter
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    private let ownsTransport: Bool

    /// A client over HTTP (``HTTPTransport``) or over the given transport.
    /// - Parameter sleep: how retries wait (tests inject a recorder).
    public init(configuration: ClientConfiguration, transport: (any Transport)? = nil,
                logger: Logger = Logger(label: "fledge.kube"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) throws {
        self.configuration = configuration
        self.transport = try transport ?? HTTPTransport(configuration: configuration)
        ownsTransport = transport == nil
        limiter = RateLimiter(qps: configuration.qps, burst: configuration.burst)
        self.logger = logger
        self.sleep = sleep
    }

    /// Releases the HTTP client (when this client created it).
    public func shutdown() async throws {
        if ownsTransport, let http = transport as? HTTPTransport { try await http.shutdown() }
    }

    // MARK: Sending

    /// The longest a request sent in this task may take, asked at each send (nil: the configured timeout). A
    /// leader sets it to the time before a follower could take over, so none of its requests outlives its term.
    @TaskLocal public static var requestTimeoutCap: RequestTimeoutCap?

    /// The configured timeout, capped by ``requestTimeoutCap``.
    func timeout() throws -> Duration {
        guard let cap = Self.requestTimeoutCap?.timeLeft() else { return configuration.requestTimeout }
        guard cap > .zero else {
            throw KubeError.timeout(Status(message: "not sent: no time left before the leadership term ends", reason: "Timeout", code: 504))
        }
        return min(cap, configuration.requestTimeout)
    }

    /// Sends a request: rate limit, 429 retries for idempotent verbs, debug log, errors from the Status body.
    public func send(_ request: Request) async throws -> Response {
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire()
            let start = ContinuousClock.now
            let response: Response
            do {
                response = try await transport.send(request, timeout: try timeout())
            } catch {
                log(request, status: nil, since: start, error: error)
                throw Self.classify(error)
            }
            log(request, status: response.status, since: start, error: nil)
            if response.isSuccess { return response }
            let error = KubeError.from(code: response.status, headers: response.headers, body: response.body)
            if case .tooManyRequests(_, let after) = error, request.isIdempotent, attempt <= configuration.maxRetries {
                try await sleep(Self.retryDelay(after))
                continue
            }
            throw error
        }
    }

    /// Errors that already say what went wrong pass through; anything else is a transport failure.
    static func classify(_ error: any Error) -> any Error {
        switch error {
        case is KubeError, is KubeConfigError, is RequestError, is CancellationError: error
        default: KubeError.transport("\(type(of: error))")
        }
    }

    /// How long to wait after a 429: Retry-After (at least 1 s when absent, at most 60 s).
    static func retryDelay(_ retryAfter: Duration?) -> Duration {
        min(max(retryAfter ?? .seconds(1), .milliseconds(100)), .seconds(60))
    }

    private func log(_ request: Request, status: Int?, since start: ContinuousClock.Instant, error: (any Error)?) {
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "verb": "\(request.verb)", "method": "\(request.method.rawValue)", "path": "\(request.pathAndQuery)",
            "durationMs": "\(Int(TokenBucket.seconds(elapsed) * 1000))",
        ]
        if let status { metadata["status"] = "\(status)" }
        if let error { metadata["error"] = "\(error)" }
        logger.debug("kube request", metadata: metadata)
    }

    func decode<T: Decodable>(_ type: T.Type, from response: Response) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw KubeError.decoding("response is not a \(T.self): \(error)")
        }
    }

    func call<T: Decodable>(_ request: Request, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, from: try await send(request))
    }

    func builder(_ descriptor: ResourceDescriptor, _ namespace: String?) -> RequestBuilder {
        RequestBuilder(descriptor, namespace: namespace ?? configuration.namespace)
    }

    static func body(_ value: some Encodable) throws -> JSONValue {
        do {
            return try JSONValue(encoding: value)
        } catch {
            throw KubeError.decoding("cannot encode \(type(of: value)): \(error)")
        }
    }
}

// MARK: - Generic operations over a descriptor

extension KubeClient {
    public func get<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, name: String, namespace: String? = nil,
                                          subresource: String? = nil, as type: T.Type = DynamicObject.self) async throws -> T {
        try await call(try builder(descriptor, namespace).get(name, subresource: subresource))
    }

    /// One page of a list. `namespace: nil` lists across all namespaces.
    public func list<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, namespace: String?, options: ListOptions = ListOptions(),
                                           as type: T.Type = DynamicObject.self) async throws -> ObjectList<T> {
        try await call(RequestBuilder(descriptor, namespace: namespace).list(options))
    }

    /// Every page of a list (following `continue` tokens), as one list whose resourceVersion is the snapshot's.
    public func listAll<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, namespace: String?, options: ListOptions = ListOptions(),
                                              pageSize: Int = 500, as type: T.Type = DynamicObject.self) async throws -> ObjectList<T> {
        var options = options
        options.limit = options.limit ?? pageSize
        var all = ObjectList<T>()
        while true {
            let page = try await list(descriptor, namespace: namespace, options: options, as: T.self)
            all.apiVersion = page.apiVersion
            all.kind = page.kind
            all.items += page.items
            all.metadata.resourceVersion = page.metadata.resourceVersion
            guard let next = page.metadata.continue, !next.isEmpty else { break }
            options.continueToken = next
            // The continue token carries the snapshot; a resourceVersion with it is rejected.
            options.resourceVersion = nil
            options.resourceVersionMatch = nil
        }
        return all
    }

    public func create<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, _ object: T, namespace: String? = nil,
                                             options: WriteOptions = WriteOptions()) async throws -> T {
        let body = try Self.body(object)
        let ns = namespace ?? body["metadata"]?["namespace"]?.stringValue
        return try await call(try builder(descriptor, ns).create(body, options: options))
    }

    public func update<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, _ object: T, subresource: String? = nil,
                                             options: WriteOptions = WriteOptions()) async throws -> T {
        let body = try Self.body(object)
        guard let name = body["metadata"]?["name"]?.stringValue else { throw RequestError.invalidName("") }
        return try await call(try builder(descriptor, body["metadata"]?["namespace"]?.stringValue)
            .update(name, body, subresource: subresource, options: options))
    }

    public func patch<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, name: String, namespace: String? = nil, _ patch: Patch,
                                            subresource: String? = nil, options: WriteOptions = WriteOptions(),
                                            as type: T.Type = DynamicObject.self) async throws -> T {
        try await call(try builder(descriptor, namespace).patch(name, patch, subresource: subresource, options: options))
    }

    /// Deletes an object. Returns what the server answered: the object (still present with finalizers or
    /// foreground deletion) or a Status.
    @discardableResult
    public func delete(_ descriptor: ResourceDescriptor, name: String, namespace: String? = nil,
                       options: DeleteOptions = DeleteOptions()) async throws -> JSONValue {
        let response = try await send(try builder(descriptor, namespace).delete(name, options: options))
        return (try? JSONValue(parsing: response.body)) ?? .null
    }

    /// Watches a collection. The stream ends when the server closes the watch (e.g. at `timeoutSeconds`, or a
    /// dropped connection) and throws ``KubeError/gone(_:)`` when the resourceVersion is too old.
    public func watch<T: Codable & Sendable>(_ descriptor: ResourceDescriptor, namespace: String?, options: WatchOptions = WatchOptions(),
                                            as type: T.Type = DynamicObject.self) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        let request = RequestBuilder(descriptor, namespace: namespace).watch(options)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await self.openStream(request)
                    for try await line in response.lines {
                        continuation.yield(try WatchEvent<T>.parse(line))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func openStream(_ request: Request) async throws -> StreamingResponse {
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire()
            let start = ContinuousClock.now
            let response: StreamingResponse
            do {
                response = try await transport.stream(request, timeout: configuration.requestTimeout)
            } catch {
                log(request, status: nil, since: start, error: error)
                throw Self.classify(error)
            }
            log(request, status: response.status, since: start, error: nil)
            if (200..<300).contains(response.status) { return response }
            let error = KubeError.from(code: response.status, headers: response.headers, body: try await response.collectBody())
            if case .tooManyRequests(_, let after) = error, attempt <= configuration.maxRetries {
                try await sleep(Self.retryDelay(after))
                continue
            }
            throw error
        }
    }
}

// MARK: - Typed resources

extension KubeClient {
    public func get<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try await get(T.descriptor, name: name, namespace: namespace, as: T.self)
    }

    /// One page. `namespace: nil` lists across all namespaces.
    public func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions = ListOptions()) async throws -> ObjectList<T> {
        try await list(T.descriptor, namespace: namespace, options: options, as: T.self)
    }

    /// All pages.
    public func listAll<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions = ListOptions(),
                                     pageSize: Int = 500) async throws -> ObjectList<T> {
        try await listAll(T.descriptor, namespace: namespace, options: options, pageSize: pageSize, as: T.self)
    }

    public func create<T: Resource>(_ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> T {
        try await create(T.descriptor, object, namespace: namespace ?? object.metadata.namespace ?? configuration.namespace, options: options)
    }

    /// PUT of the whole object; fails with ``KubeError/conflict(_:)`` when its resourceVersion is stale.
    public func update<T: Resource>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await update(T.descriptor, object, options: options)
    }

    public func patch<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil, _ patch: Patch,
                                   options: WriteOptions = WriteOptions()) async throws -> T {
        try await self.patch(T.descriptor, name: name, namespace: namespace, patch, options: options, as: T.self)
    }

    /// Server-side apply of `object` (its set fields are the manager's whole intent).
    public func apply<T: Resource>(_ object: T, fieldManager: String, force: Bool = false) async throws -> T {
        guard let name = object.metadata.name else { throw RequestError.invalidName("") }
        return try await patch(T.self, name: name, namespace: object.metadata.namespace, .apply(try object.json()),
                               options: WriteOptions(fieldManager: fieldManager, force: force))
    }

    @discardableResult
    public func delete<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil,
                                    options: DeleteOptions = DeleteOptions()) async throws -> JSONValue {
        try await delete(T.descriptor, name: name, namespace: namespace, options: options)
    }

    public func watch<T: Resource>(_ type: T.Type, namespace: String?, options: WatchOptions = WatchOptions())
        -> AsyncThrowingStream<WatchEvent<T>, any Error>
    {
        watch(T.descriptor, namespace: namespace, options: options, as: T.self)
    }

    // MARK: status subresource

    public func getStatus<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try await get(T.descriptor, name: name, namespace: namespace, subresource: "status", as: T.self)
    }

    /// PUT to `/status`: only the status is written (spec changes are ignored by the server).
    public func updateStatus<T: Resource>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await update(T.descriptor, object, subresource: "status", options: options)
    }

    public func patchStatus<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil, _ patch: Patch,
                                         options: WriteOptions = WriteOptions()) async throws -> T {
        try await self.patch(T.descriptor, name: name, namespace: namespace, patch, subresource: "status", options: options, as: T.self)
    }

    // MARK: scale subresource

    public func getScale<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> Scale {
        try await get(T.descriptor, name: name, namespace: namespace, subresource: "scale", as: Scale.self)
    }

    public func updateScale<T: Resource>(_ type: T.Type, _ scale: Scale, options: WriteOptions = WriteOptions()) async throws -> Scale {
        guard let name = scale.metadata.name else { throw RequestError.invalidName("") }
        return try await call(try builder(T.descriptor, scale.metadata.namespace)
            .update(name, try scale.json(), subresource: "scale", options: options))
    }

    public func patchScale<T: Resource>(_ type: T.Type, name: String, namespace: String? = nil, _ patch: Patch,
                                        options: WriteOptions = WriteOptions()) async throws -> Scale {
        try await self.patch(T.descriptor, name: name, namespace: namespace, patch, subresource: "scale", options: options, as: Scale.self)
    }
}

extension KubeClient {
    /// Runs `body` (a read-modify-write) again while it fails with ``KubeError/conflict(_:)``, up to `attempts` times.
    public static func retryOnConflict<T>(attempts: Int = 5, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as KubeError {
                guard case .conflict = error, attempt < attempts else { throw error }
            }
        }
    }
}

/// How long a request may still take, asked at each send (nil: no cap). A struct around the closure: a task-local
/// whose value is an optional closure crashes `swift_task_localValuePush` in release builds (Swift 6.3.1; a
/// standalone reproduction crashed within 200 calls, the struct form never), so the closure never is the value
/// itself.
public struct RequestTimeoutCap: Sendable {
    public let timeLeft: @Sendable () -> Duration?
    public init(_ timeLeft: @escaping @Sendable () -> Duration?) { self.timeLeft = timeLeft }
}
