import Kube
import KubeJSON
import RolloutAPI

/// Splits traffic through a Gateway API HTTPRoute (gateway.networking.k8s.io/v1): in every rule whose
/// `backendRefs` name the stable or the canary Service, the canary gets `weight` and the stable Service `100 − weight`.
/// Other rules and other backends are never touched.
public enum GatewayAPIRouter {
    /// The router for HTTPRoutes.
    public static func router(client: KubeClient, fieldManager: String = FledgeNames.fieldManager) -> WeightedRouteRouter {
        WeightedRouteRouter(client: client, fieldManager: fieldManager, kind: kind)
    }

    static let kind = WeightedRouteKind(descriptor: .httpRoutes, splits: splits(of:for:), weights: weights(sending:in:))

    // MARK: The HTTPRoute's details

    static func splits(of route: JSONValue, for target: RouteTarget) throws(UnusableRoute) -> [BackendSplit] {
        let routeNamespace = route["metadata"]?["namespace"]?.stringValue ?? target.route.namespace
        let rules = route[path: ["spec", "rules"]]?.arrayValue ?? []
        let candidates = rules.indices.map { i in
            SplitLocation(pointer: JSONPointer(tokens: ["spec", "rules", String(i), "backendRefs"]),
                          label: Self.label(ofRule: i, rules[i]))
        }
        return try WeightedBackends.splits(in: route, candidates: candidates,
                                           convention: convention(routeNamespace: routeNamespace, target: target), target: target)
    }

    static func weights(sending percent: Int, in split: BackendSplit) -> SplitWeights {
        SplitWeights(stable: 100 - percent, canary: percent)
    }

    /// A backendRef is identified by its name; one without a weight weighs 1.
    static func convention(routeNamespace: String, target: RouteTarget) -> BackendConvention {
        BackendConvention(
            role: { role(of: $0, routeNamespace: routeNamespace, target: target) },
            identity: ["name"],
            qualifiers: [["group"], ["kind"], ["namespace"]],
            defaultWeight: { _ in 1 },
            entryNoun: "backendRef",
            splitNoun: "rule")
    }

    /// `rule 2`, or `rule 2 ("api")` when the rule has a name.
    static func label(ofRule index: Int, _ rule: JSONValue) -> String {
        guard let name = rule["name"]?.stringValue, !name.isEmpty else { return "rule \(index)" }
        return "rule \(index) (\"\(name)\")"
    }

    /// A backendRef is a Service when its group is core and its kind Service (both the defaults); its namespace
    /// defaults to the route's.
    static func role(of backend: JSONValue, routeNamespace: String, target: RouteTarget) -> BackendRole {
        let group = backend["group"]?.stringValue ?? ""
        let kind = backend["kind"]?.stringValue ?? "Service"
        let namespace = backend["namespace"]?.stringValue ?? routeNamespace
        guard group.isEmpty, kind == "Service", namespace == target.namespace,
              let name = backend["name"]?.stringValue else { return .other }
        switch name {
        case target.stableService: return .stable
        case target.canaryService: return .canary
        default: return .other
        }
    }
}
