import Kube
import KubeJSON
import KubeRuntime
import Logging
import RolloutAPI
import ServiceLifecycle
import Synchronization

/// Watches the route objects Rollouts use, so an edit (drift) or a deleted route reaches the Rollout's reconcile at
/// once instead of at its next poll. The routers still read the route itself when they reconcile: the watch only
/// says *which* Rollout to look at, and keeps nothing of a route but its name.
///
/// A kind is watched from the first time a Rollout uses it (the route's CRD may not be installed in a cluster that
/// never uses it), in every namespace the controller watches; it runs on every replica, like the other informers.
public final class RouteWatch: ServiceLifecycle.Service, Sendable {
    /// What its informers need: list and watch each kind of route object.
    public static let apiAccess: [APIAccess] = [
        KubeListerWatcher<RouteObject<HTTPRouteObjects>>.apiAccess, KubeListerWatcher<RouteObject<VirtualServiceObjects>>.apiAccess,
        KubeListerWatcher<RouteObject<IngressObjects>>.apiAccess,
    ].flatMap { $0 }

    let client: KubeClient
    let scopes: [String?]
    let logger: Logger

    private struct State {
        /// "<plural>/<namespace>/<name>" of a route object → the Rollouts that use it.
        var users: [String: Set<ObjectKey>] = [:]
        /// A Rollout → the route objects it uses.
        var uses: [ObjectKey: [String]] = [:]
        var started: Set<RouterKind> = []
        var queue: WorkQueue<ObjectKey>?
    }
    private let state = Mutex(State())
    private let starts: AsyncStream<RouterKind>
    private let startContinuation: AsyncStream<RouterKind>.Continuation

    /// - Parameter scopes: the namespaces to watch (`[nil]`: all).
    public init(client: KubeClient, scopes: [String?], logger: Logger) {
        self.client = client
        self.scopes = scopes
        self.logger = logger
        (starts, startContinuation) = AsyncStream.makeStream(of: RouterKind.self)
    }

    /// Where a changed route sends the keys of the Rollouts that use it.
    public func deliver(to queue: WorkQueue<ObjectKey>) {
        state.withLock { $0.queue = queue }
    }

    /// Records the route `rollout` uses now (nil: none, or the Rollout is gone); the first use of a kind starts its
    /// watch.
    public func use(_ route: RouteReference?, by rollout: ObjectKey) {
        let keys = route.map(Self.objectKeys) ?? []
        let start: RouterKind? = state.withLock { s in
            let previous = s.uses[rollout] ?? []
            guard previous != keys else { return nil }
            for key in previous {
                s.users[key]?.remove(rollout)
                if s.users[key]?.isEmpty == true { s.users[key] = nil }
            }
            for key in keys { s.users[key, default: []].insert(rollout) }
            s.uses[rollout] = keys.isEmpty ? nil : keys
            guard let kind = route?.kind, !s.started.contains(kind) else { return nil }
            s.started.insert(kind)
            return kind
        }
        if let start { startContinuation.yield(start) }
    }

    /// The Rollouts that use the route object `name` of resource `plural` in `namespace`.
    func users(of plural: String, namespace: String, name: String) -> Set<ObjectKey> {
        state.withLock { $0.users["\(plural)/\(namespace)/\(name)"] ?? [] }
    }

    /// The route objects a route stands for: the object itself, and for NGINX also Fledge's canary Ingress.
    static func objectKeys(_ route: RouteReference) -> [String] {
        let plural = descriptor(route.kind).plural
        var names = [route.name]
        if route.kind == .nginx { names.append(NginxRouter.canaryIngressName(for: route.name)) }
        return names.map { "\(plural)/\(route.namespace)/\($0)" }
    }

    static func descriptor(_ kind: RouterKind) -> ResourceDescriptor {
        switch kind {
        case .gatewayAPI: .httpRoutes
        case .istio: .virtualServices
        case .nginx: .ingresses
        }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for await kind in self.starts {
                    for scope in self.scopes {
                        let informer = self.informer(kind, namespace: scope)
                        group.addTask { try await informer.run() }
                    }
                    self.logger.info("watching route objects", metadata: ["resource": "\(Self.descriptor(kind).plural)"])
                }
            }
        }
    }

    private func informer(_ kind: RouterKind, namespace: String?) -> any ServiceLifecycle.Service {
        switch kind {
        case .gatewayAPI: informer(RouteObject<HTTPRouteObjects>.self, namespace: namespace)
        case .istio: informer(RouteObject<VirtualServiceObjects>.self, namespace: namespace)
        case .nginx: informer(RouteObject<IngressObjects>.self, namespace: namespace)
        }
    }

    private func informer<Kind>(_: RouteObject<Kind>.Type, namespace: String?) -> Informer<KubeListerWatcher<RouteObject<Kind>>> {
        let informer = Informer(name: Kind.descriptor.plural,
                                source: KubeListerWatcher<RouteObject<Kind>>(client: client, namespace: namespace), logger: logger)
        informer.addHandler { [self] event in
            let objects: [RouteObject<Kind>]
            switch event {
            case .added(let o), .deleted(let o): objects = [o]
            case .updated(let old, let new): objects = [old, new]
            }
            let queue = state.withLock { $0.queue }
            var keys = Set<ObjectKey>()
            for object in objects { keys.formUnion(users(of: Kind.descriptor.plural, namespace: object.namespace ?? "", name: object.name)) }
            for key in keys { await queue?.add(key) }
        }
        return informer
    }
}

/// The kinds of route object the watch caches.
protocol WatchedRouteKind: Sendable {
    static var descriptor: ResourceDescriptor { get }
}

enum HTTPRouteObjects: WatchedRouteKind { static var descriptor: ResourceDescriptor { .httpRoutes } }
enum VirtualServiceObjects: WatchedRouteKind { static var descriptor: ResourceDescriptor { .virtualServices } }
enum IngressObjects: WatchedRouteKind { static var descriptor: ResourceDescriptor { .ingresses } }

/// A route object as the watch caches it: its name, namespace, uid and version; nothing else.
struct RouteObject<Kind: WatchedRouteKind>: Resource, RuntimeObject {
    static var descriptor: ResourceDescriptor { Kind.descriptor }
    var metadata: ObjectMeta
    var originalJSON: JSONValue?

    private enum Keys: String, CodingKey { case metadata }

    init(from decoder: any Decoder) throws {
        let full = try decoder.container(keyedBy: Keys.self).decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        metadata = ObjectMeta(name: full.name, namespace: full.namespace)
        metadata.uid = full.uid
        metadata.resourceVersion = full.resourceVersion
    }

    func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(metadata, forKey: .metadata)
    }

    var name: String { metadata.name ?? "" }
    var uid: String { metadata.uid ?? "" }
    var resourceVersion: String { metadata.resourceVersion ?? "" }
    var ownerReferences: [KubeRuntime.OwnerReference] { [] }
}
