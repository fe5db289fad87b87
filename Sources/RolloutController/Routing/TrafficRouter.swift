import Kube
import KubeJSON
import RolloutAPI

/// Moves traffic between a Rollout's two Services by editing an object a gateway or mesh reads (an HTTPRoute, a
/// VirtualService, a canary Ingress). Three verbs, nothing else: read the weights, set them, clean up.
///
/// A router never rewrites the user's object wholesale: it changes only the weights of the two Services, guarded
/// against concurrent edits, and retries from a fresh read when someone else wrote in between.
public protocol TrafficRouter: Sendable {
    /// The canary's share the route sends now. Transient API failures are thrown (the reconcile is retried);
    /// a route that is missing or unusable is an observation, not an error.
    func read(_ target: RouteTarget) async throws -> RouteObservation
    /// Sends `weight` percent to the canary Service and the rest to the stable one wherever the route splits
    /// between them, leaving every other rule and backend alone. Returns what the route holds after the write.
    func setWeight(_ weight: Int, on target: RouteTarget) async throws -> RouteObservation
    /// The Rollout is going away: everything to the stable Service, and any object the router created removed.
    /// A missing route is nothing to clean up.
    func cleanUp(_ target: RouteTarget) async throws
}

/// What a router works on: the user's route and the two Services it splits between.
public struct RouteTarget: Sendable, Equatable {
    public var route: RouteReference
    /// The Rollout's name and namespace (the Services live there).
    public var rollout: String
    public var namespace: String
    public var stableService: String
    public var canaryService: String
    /// For objects a router creates (the NGINX canary Ingress): owned by the Rollout, garbage-collected with it.
    public var owner: OwnerReference?

    public init(route: RouteReference, rollout: String, namespace: String, owner: OwnerReference? = nil) {
        self.route = route
        self.rollout = rollout
        self.namespace = namespace
        self.stableService = FledgeNames.stableService(rollout)
        self.canaryService = FledgeNames.canaryService(rollout)
        self.owner = owner
    }
}

/// The canary's share, in whole percent, at each place the route splits between the two Services (an HTTPRoute
/// rule, a VirtualService http route, the canary Ingress).
public struct RouteWeights: Sendable, Equatable {
    /// Per split, the percents it is at: one, unless the route's integer weights cannot tell neighbours apart
    /// (Istio's pair sharing 90 writes 85/5 for both 5% and 6%).
    public var ranges: [ClosedRange<Int>]
    /// The router's own object is out of date or broken (the NGINX canary Ingress no longer matches the user's, or
    /// its annotations were edited): the weights say what it may send, but it is at no weight until written again.
    public var stale: Bool

    public init(canary: [Int], stale: Bool = false) {
        self.ranges = canary.map { $0...$0 }
        self.stale = stale
    }

    public init(ranges: [ClosedRange<Int>]) {
        self.ranges = ranges
        self.stale = false
    }

    /// The share at each split (the lowest percent each is at).
    public var canary: [Int] { ranges.map(\.lowerBound) }

    /// The most any split may send to the canary (what the canary must be sized for).
    public var highest: Int { ranges.map(\.upperBound).max() ?? 0 }

    /// Every split sends exactly `weight` to the canary.
    public func isAt(_ weight: Int) -> Bool { !stale && !ranges.isEmpty && ranges.allSatisfy { $0.contains(weight) } }
}

/// A route as read.
public enum RouteObservation: Sendable, Equatable {
    case weights(RouteWeights)
    /// The route (or its kind) does not exist: it sends nothing to the canary.
    case notFound(String)
    /// The route exists but cannot be used: a rule names one of the two Services but not the other, no rule names
    /// them, access is denied, no router is registered for its kind. Why, in a sentence.
    case unusable(String)

    /// The share of traffic the canary may receive through the route: nil when that is unknown.
    public var canaryShare: Int? {
        switch self {
        case .weights(let w): w.highest
        case .notFound: 0
        case .unusable: nil
        }
    }

    public var weights: RouteWeights? {
        if case .weights(let w) = self { return w }
        return nil
    }

    /// Why the route cannot be used, when it cannot.
    public var problem: String? {
        switch self {
        case .weights: nil
        case .notFound(let m), .unusable(let m): m
        }
    }
}

/// The routers this controller drives, by kind: adding one is a registration, not an edit of the reconciler.
public struct TrafficRouterRegistry: Sendable {
    private var routers: [RouterKind: any TrafficRouter] = [:]

    public init() {}

    public mutating func register(_ router: any TrafficRouter, for kind: RouterKind) {
        routers[kind] = router
    }

    public func router(for kind: RouterKind) -> (any TrafficRouter)? { routers[kind] }
}
