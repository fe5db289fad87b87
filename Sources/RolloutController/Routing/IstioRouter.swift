import Kube
import KubeJSON
import RolloutAPI

/// Splits traffic through an Istio VirtualService (networking.istio.io/v1): in the `http` routes the Rollout names
/// (or, when it names none, every `http` route whose destinations include the stable or the canary Service), the
/// two Services share what the route's other destinations leave of 100, `weight` percent of it to the canary.
/// Other routes and other destinations are never touched.
public enum IstioRouter {
    /// The router for VirtualServices.
    public static func router(client: KubeClient, fieldManager: String = FledgeNames.fieldManager) -> WeightedRouteRouter {
        WeightedRouteRouter(client: client, fieldManager: fieldManager, kind: kind)
    }

    static let kind = WeightedRouteKind(descriptor: .virtualServices, splits: splits(of:for:), weights: weights(sending:in:))

    // MARK: The VirtualService's details

    static func splits(of route: JSONValue, for target: RouteTarget) throws(UnusableRoute) -> [BackendSplit] {
        let http = route[path: ["spec", "http"]]?.arrayValue ?? []
        func location(_ index: Int) -> SplitLocation {
            SplitLocation(pointer: JSONPointer(tokens: ["spec", "http", String(index), "route"]),
                          label: Self.label(ofRoute: index, http[index]))
        }
        var candidates: [SplitLocation] = []
        for name in target.route.routes {
            guard let index = http.firstIndex(where: { $0["name"]?.stringValue == name }) else {
                let named = http.compactMap { $0["name"]?.stringValue }.map { "\"\($0)\"" }
                throw UnusableRoute("\(target.route) has no http route named \"\(name)\" (it has "
                    + (named.isEmpty ? "no named http routes" : named.joined(separator: ", "))
                    + "): fix the Rollout's spec.strategy.canary.trafficRouting.istio.virtualService.routes")
            }
            if !candidates.contains(location(index)) { candidates.append(location(index)) }
        }
        let named = !target.route.routes.isEmpty
        if !named { candidates = http.indices.map(location) }
        let splits = try WeightedBackends.splits(in: route, candidates: candidates, convention: convention(for: target),
                                                 target: target, requireEach: named)
        if let full = splits.first(where: { $0.otherWeight >= 100 }) {
            throw UnusableRoute("\(full.location.label) of \(target.route) gives its other destinations all of 100, "
                + "leaving nothing for Service \(target.stableService) and Service \(target.canaryService): lower their weights")
        }
        return splits
    }

    /// A destination is one of the Services when its host names it; a destination without a weight takes
    /// everything when it is alone in its list, else nothing.
    static func convention(for target: RouteTarget) -> BackendConvention {
        let hosts = hosts(of: target)
        return BackendConvention(
            role: { destination in
                guard let host = destination[path: ["destination", "host"]]?.stringValue else { return .other }
                if hosts.stable.contains(host) { return .stable }
                if hosts.canary.contains(host) { return .canary }
                return .other
            },
            identity: ["destination", "host"],
            qualifiers: [["destination", "subset"]],
            defaultWeight: { entries in entries == 1 ? 100 : 0 },
            entryNoun: "destination",
            splitNoun: "http route")
    }

    /// Istio wants a route's weights to total 100: the pair shares what the other destinations leave.
    static func weights(sending percent: Int, in split: BackendSplit) -> SplitWeights {
        let share = max(0, 100 - split.otherWeight)
        let canary = (share * percent + 50) / 100
        return SplitWeights(stable: share - canary, canary: canary)
    }

    /// `http route "primary"`, or `http route 0` when it has no name.
    static func label(ofRoute index: Int, _ route: JSONValue) -> String {
        guard let name = route["name"]?.stringValue, !name.isEmpty else { return "http route \(index)" }
        return "http route \"\(name)\""
    }

    /// The hosts that name each Service: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`.
    static func hosts(of target: RouteTarget) -> (stable: Set<String>, canary: Set<String>) {
        func names(_ service: String) -> Set<String> {
            let ns = target.namespace
            return [service, "\(service).\(ns)", "\(service).\(ns).svc", "\(service).\(ns).svc.cluster.local"]
        }
        return (names(target.stableService), names(target.canaryService))
    }
}
