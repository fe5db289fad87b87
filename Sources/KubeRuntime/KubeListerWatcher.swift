import Kube

/// `ListerWatcher` on the Kubernetes client, for one typed resource: one namespace or all
/// namespaces (`namespace: nil`), optionally narrowed by label and field selectors.
///
/// - `list()` follows `continue` tokens (`pageSize` objects per request) and returns the
///   snapshot's resourceVersion.
/// - `watch(resourceVersion:)` watches with `allowWatchBookmarks=true` and the server-side
///   `timeoutSeconds` (the informer resumes after a clean end).
/// - `KubeError.gone` (410 when opening the watch, an `ERROR` event with 410 in the stream,
///   or an expired continue token while listing) becomes `ListerWatcherError.gone`; other
///   errors pass through and the informer retries them with backoff.
///
/// ```swift
/// let source = KubeListerWatcher<Deployment>(client: client, namespace: "prod", labelSelector: "team=web")
/// let informer = Informer(name: "deployments", source: source)
/// ```
public struct KubeListerWatcher<R: Resource & RuntimeObject>: ListerWatcher {
    public typealias Object = R

    /// What an informer on `R` needs: list and watch.
    public static var apiAccess: [APIAccess] { [APIAccess(R.descriptor, ["list", "watch"])] }

    public let client: KubeClient
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    public let pageSize: Int
    /// The watch's `timeoutSeconds` (nil: the server's default).
    public let watchTimeoutSeconds: Int?
    /// Applied to every object before the cache keeps it: drop what the reconciler never reads (managed fields,
    /// the original JSON) so a large cache stays small.
    public let transform: (@Sendable (R) -> R)?

    public init(client: KubeClient, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil,
                pageSize: Int = 500, watchTimeoutSeconds: Int? = 290, transform: (@Sendable (R) -> R)? = nil) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.transform = transform
    }

    public func list() async throws -> (items: [R], resourceVersion: String) {
        do {
            let list = try await client.listAll(
                R.self, namespace: namespace,
                options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector), pageSize: pageSize)
            return (transform.map { list.items.map($0) } ?? list.items, list.metadata.resourceVersion ?? "")
        } catch let error as KubeError {
            throw Self.map(error)
        }
    }

    public func watch(resourceVersion: String) async throws -> Events {
        let stream = client.watch(
            R.self, namespace: namespace,
            options: WatchOptions(labelSelector: labelSelector, fieldSelector: fieldSelector,
                                  resourceVersion: resourceVersion, allowWatchBookmarks: true,
                                  timeoutSeconds: watchTimeoutSeconds))
        // Wait for the first event (or the end) so that a refused watch — an HTTP 410, or the
        // 200 with a single 410 ERROR event that real servers send for a too-old version —
        // is thrown from this call, as the informer expects (it then pauses before re-listing
        // if the version came straight from a list).
        var iterator = stream.makeAsyncIterator()
        let first: Kube.WatchEvent<R>?
        do {
            first = try await iterator.next()
        } catch {
            throw Self.map(error)
        }
        return Events(iterator: iterator, first: first, transform: transform)
    }

    static func map(_ error: any Error) -> any Error {
        if case KubeError.gone = error { return ListerWatcherError.gone }
        return error
    }

    /// The client's watch stream in the runtime's terms (its first event already read).
    /// Iterate it once.
    public struct Events: AsyncSequence {
        public typealias Element = WatchEvent<R>
        let iterator: AsyncThrowingStream<Kube.WatchEvent<R>, any Error>.AsyncIterator
        let first: Kube.WatchEvent<R>?
        let transform: (@Sendable (R) -> R)?

        public func makeAsyncIterator() -> Iterator {
            Iterator(base: iterator, pending: first, ended: first == nil, transform: transform ?? { $0 })
        }

        public struct Iterator: AsyncIteratorProtocol {
            var base: AsyncThrowingStream<Kube.WatchEvent<R>, any Error>.AsyncIterator
            var pending: Kube.WatchEvent<R>?
            var ended: Bool
            let transform: @Sendable (R) -> R

            public mutating func next() async throws -> WatchEvent<R>? {
                if ended { return nil }
                let event: Kube.WatchEvent<R>?
                if let p = pending {
                    pending = nil
                    event = p
                } else {
                    do {
                        event = try await base.next()
                    } catch {
                        ended = true
                        throw KubeListerWatcher.map(error)
                    }
                }
                if event == nil { ended = true }
                switch event {
                case nil: return nil
                case .added(let o)?: return .added(transform(o))
                case .modified(let o)?: return .modified(transform(o))
                case .deleted(let o)?: return .deleted(transform(o))
                case .bookmark(let rv)?: return .bookmark(resourceVersion: rv)
                }
            }
        }
    }
}
