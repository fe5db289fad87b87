import Kube
import KubeJSON
import RolloutAPI
import Testing

@testable import RolloutController

// The shared logic of the HTTPRoute and VirtualService routers, without a server: shares in percent, defaults,
// the sentences of an unusable route, and the exact guarded JSON patch.

private let gatewayTarget = RouteTarget(route: RouteReference(kind: .gatewayAPI, name: "web", namespace: "shop"),
                                        rollout: "web", namespace: "shop")

private func istioTarget(routes: [String] = []) -> RouteTarget {
    RouteTarget(route: RouteReference(kind: .istio, name: "web", namespace: "shop", routes: routes), rollout: "web", namespace: "shop")
}

/// A backendRef; `weight: nil` leaves the weight out.
private func ref(_ name: String, weight: Int? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
    var o: [String: JSONValue] = ["name": .string(name), "port": 80]
    if let weight { o["weight"] = .number(Double(weight)) }
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

/// An HTTPRoute `shop/web` with one rule per list of backendRefs.
private func httpRoute(_ rules: [[JSONValue]], namespace: String = "shop") -> JSONValue {
    ["apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
     "metadata": ["name": "web", "namespace": .string(namespace)],
     "spec": ["rules": .array(rules.map { ["backendRefs": .array($0)] })]]
}

/// A VirtualService destination.
private func dest(_ host: String, weight: Int? = nil) -> JSONValue {
    var o: [String: JSONValue] = ["destination": ["host": .string(host), "port": ["number": 80]]]
    if let weight { o["weight"] = .number(Double(weight)) }
    return .object(o)
}

/// A VirtualService `shop/web` with one http route per (name, destinations).
private func virtualService(_ routes: [(String?, [JSONValue])]) -> JSONValue {
    ["apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
     "metadata": ["name": "web", "namespace": "shop"],
     "spec": ["hosts": ["web.example"], "http": .array(routes.map { name, destinations in
         var o: [String: JSONValue] = ["route": .array(destinations)]
         if let name { o["name"] = .string(name) }
         return .object(o)
     })]]
}

/// The sentence `body` throws as an ``UnusableRoute``; nil when it throws nothing (any other error: a failure).
private func unusable(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as UnusableRoute {
        return error.message
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct WeightedBackendsTests {
    // MARK: Shares

    @Test(arguments: [
        // (canary, stable, percent), worked out by hand.
        (0, 0, 0), (0, 100, 0), (100, 0, 100), (5, 95, 5), (1, 1, 50), (1, 2, 33), (2, 1, 67),
        (1, 199, 1),    // 0.5 % rounds up
        (1, 399, 0),    // 0.25 % rounds down
        (1, 7, 13),     // 12.5 % rounds up
        (999_999, 1, 100),
    ])
    func canaryPercent(canary: Int, stable: Int, percent: Int) {
        #expect(WeightedBackends.percent(canary: canary, stable: stable) == percent)
    }

    @Test func gatewayReadsEachRuleThatNamesTheServices() throws {
        let route = httpRoute([
            [ref("web-stable", weight: 95), ref("web-canary", weight: 5)],
            [ref("docs", weight: 1)],
            [ref("web-canary", weight: 3), ref("web-stable", weight: 1)],
        ])
        let splits = try GatewayAPIRouter.splits(of: route, for: gatewayTarget)
        #expect(splits.map(\.location.label) == ["rule 0", "rule 2"])
        #expect(splits.map({ GatewayAPIRouter.kind.percents(of: $0).lowerBound }) == [5, 75])
        #expect(GatewayAPIRouter.kind.observation(of: route, for: gatewayTarget) == .weights(RouteWeights(canary: [5, 75])))
    }

    @Test func gatewayWeightDefaultsToOne() throws {
        let route = httpRoute([[ref("web-stable"), ref("web-canary")], [ref("web-stable", weight: 3), ref("web-canary")]])
        let splits = try GatewayAPIRouter.splits(of: route, for: gatewayTarget)
        #expect(splits.map(\.stable.weight) == [1, 3])
        #expect(splits.map(\.canary.weight) == [1, 1])
        #expect(splits.map({ GatewayAPIRouter.kind.percents(of: $0).lowerBound }) == [50, 25])
    }

    @Test func gatewayBackendIsAServiceOnlyInTheRolloutsNamespaceAndCoreGroup() {
        let t = gatewayTarget
        #expect(GatewayAPIRouter.role(of: ref("web-stable"), routeNamespace: "shop", target: t) == .stable)
        #expect(GatewayAPIRouter.role(of: ref("web-canary", extra: ["group": "", "kind": "Service", "namespace": "shop"]),
                                      routeNamespace: "edge", target: t) == .canary)
        // The namespace defaults to the route's, not the Rollout's.
        #expect(GatewayAPIRouter.role(of: ref("web-stable"), routeNamespace: "edge", target: t) == .other)
        #expect(GatewayAPIRouter.role(of: ref("web-stable", extra: ["namespace": "other"]), routeNamespace: "shop", target: t) == .other)
        #expect(GatewayAPIRouter.role(of: ref("web-stable", extra: ["kind": "ServiceImport"]), routeNamespace: "shop", target: t) == .other)
        #expect(GatewayAPIRouter.role(of: ref("web-stable", extra: ["group": "multicluster.x-k8s.io"]),
                                      routeNamespace: "shop", target: t) == .other)
        #expect(GatewayAPIRouter.role(of: ref("web"), routeNamespace: "shop", target: t) == .other)
    }

    @Test func istioMatchesEveryFormOfTheServiceHost() {
        let route = virtualService([
            (nil, [dest("web-stable"), dest("web-canary")]),
            (nil, [dest("web-stable.shop"), dest("web-canary.shop")]),
            (nil, [dest("web-stable.shop.svc"), dest("web-canary.shop.svc")]),
            (nil, [dest("web-stable.shop.svc.cluster.local", weight: 80), dest("web-canary.shop.svc.cluster.local", weight: 20)]),
            // Another namespace's Services of the same name, a partial suffix: not ours.
            (nil, [dest("web-stable.other"), dest("web-canary.shop.svc.cluster")]),
        ])
        let splits = try? IstioRouter.splits(of: route, for: istioTarget())
        #expect(splits?.map(\.location.label) == ["http route 0", "http route 1", "http route 2", "http route 3"])
        #expect(splits?.map({ IstioRouter.kind.percents(of: $0).lowerBound }) == [0, 0, 0, 20])
    }

    @Test func istioWeightDefaultsToZeroBesideOtherDestinations() throws {
        let route = virtualService([("primary", [dest("web-stable"), dest("web-canary"), dest("legacy", weight: 30)])])
        let split = try #require(try IstioRouter.splits(of: route, for: istioTarget()).first)
        #expect(split.stable.weight == 0)
        #expect(split.canary.weight == 0)
        #expect(split.otherWeight == 30)
        #expect(split.canaryPercent == 0)
        // Alone in its list, a destination takes everything; beside others, nothing.
        #expect(IstioRouter.convention(for: istioTarget()).defaultWeight(1) == 100)
        #expect(IstioRouter.convention(for: istioTarget()).defaultWeight(2) == 0)
        #expect(GatewayAPIRouter.convention(routeNamespace: "shop", target: gatewayTarget).defaultWeight(1) == 1)
        let onlyLegacy = virtualService([("primary", [dest("web-stable"), dest("web-canary")]), ("other", [dest("legacy")])])
        #expect(try IstioRouter.splits(of: onlyLegacy, for: istioTarget()).map(\.location.label) == ["http route \"primary\""])
    }

    @Test(arguments: [
        // (other destinations' weight, percent, stable, canary), by hand: the pair shares 100 − other.
        (0, 5, 95, 5), (0, 0, 100, 0), (0, 100, 0, 100), (0, 33, 67, 33),
        (20, 5, 76, 4), (20, 25, 60, 20), (20, 50, 40, 40), (20, 33, 54, 26), (20, 100, 0, 80),
        (30, 50, 35, 35), (30, 5, 66, 4),  // 3.5 rounds up
    ])
    func istioPairFillsWhatTheOthersLeave(other: Int, percent: Int, stable: Int, canary: Int) throws {
        var destinations = [dest("web-stable", weight: 100), dest("web-canary", weight: 0)]
        if other > 0 { destinations.append(dest("legacy", weight: other)) }
        let split = try #require(try IstioRouter.splits(of: virtualService([("p", destinations)]), for: istioTarget()).first)
        #expect(IstioRouter.weights(sending: percent, in: split) == SplitWeights(stable: stable, canary: canary))
    }

    @Test(arguments: [0, 5, 25, 50, 99, 100])
    func gatewayPairIsExactlyTheComplement(percent: Int) throws {
        let split = try #require(try GatewayAPIRouter.splits(of: httpRoute([[ref("web-stable"), ref("web-canary")]]), for: gatewayTarget).first)
        #expect(GatewayAPIRouter.weights(sending: percent, in: split) == SplitWeights(stable: 100 - percent, canary: percent))
    }

    // MARK: Unusable routes

    @Test func ruleNamingOnlyOneServiceIsUnusable() {
        let route = httpRoute([[ref("web-stable", weight: 1), ref("web-canary")], [ref("web-stable", weight: 1), ref("docs")]])
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: route, for: gatewayTarget) }
            == "rule 1 of HTTPRoute shop/web sends to Service web-stable but not to Service web-canary: add a backendRef for web-canary to it")
        let canaryOnly = virtualService([("primary", [dest("web-canary.shop.svc.cluster.local")])])
        #expect(unusable { _ = try IstioRouter.splits(of: canaryOnly, for: istioTarget()) }
            == "http route \"primary\" of VirtualService shop/web sends to Service web-canary but not to Service web-stable: add a destination for web-stable to it")
    }

    @Test func namedRuleIsNamedInTheSentence() {
        var route = httpRoute([[ref("web-stable")]])
        route[path: ["spec", "rules"]] = [["name": "api", "backendRefs": [ref("web-stable")]]]
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: route, for: gatewayTarget) }
            == "rule 0 (\"api\") of HTTPRoute shop/web sends to Service web-stable but not to Service web-canary: add a backendRef for web-canary to it")
    }

    @Test func routeNamingNeitherServiceIsUnusable() {
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: httpRoute([[ref("docs")], []]), for: gatewayTarget) }
            == "HTTPRoute shop/web has no rule that sends to Service web-stable or Service web-canary: add a backendRef for each to the rule whose traffic the Rollout should split")
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: ["metadata": ["name": "web"], "spec": [:]], for: gatewayTarget) } != nil)
        #expect(unusable { _ = try IstioRouter.splits(of: virtualService([(nil, [dest("docs")])]), for: istioTarget()) }
            == "VirtualService shop/web has no http route that sends to Service web-stable or Service web-canary: add a destination for each to the http route whose traffic the Rollout should split")
    }

    @Test func serviceNamedTwiceInOneRuleIsUnusable() {
        let route = httpRoute([[ref("web-stable"), ref("web-canary"), ref("web-canary", extra: ["port": 8080])]])
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: route, for: gatewayTarget) }
            == "rule 0 of HTTPRoute shop/web names Service web-canary in more than one backendRef: keep one, as Fledge sets one weight per Service")
    }

    @Test func weightThatIsNotAWholeNumberIsUnusable() {
        let route = httpRoute([[ref("web-stable", extra: ["weight": "95"]), ref("web-canary", weight: 5)]])
        #expect(unusable { _ = try GatewayAPIRouter.splits(of: route, for: gatewayTarget) }
            == "rule 0 of HTTPRoute shop/web gives Service web-stable the weight \"95\": a weight must be a whole number")
    }

    @Test func istioNamedRoutesMustExistAndNameTheServices() {
        let route = virtualService([("primary", [dest("web-stable"), dest("web-canary")]), ("docs", [dest("docs")]), (nil, [dest("x")])])
        #expect(unusable { _ = try IstioRouter.splits(of: route, for: istioTarget(routes: ["primary", "mobile"])) }
            == "VirtualService shop/web has no http route named \"mobile\" (it has \"primary\", \"docs\"): fix the Rollout's spec.strategy.canary.trafficRouting.istio.virtualService.routes")
        #expect(unusable { _ = try IstioRouter.splits(of: route, for: istioTarget(routes: ["docs"])) }
            == "http route \"docs\" of VirtualService shop/web sends to neither Service web-stable nor Service web-canary: add a destination for each to it")
    }

    /// Beside another destination the pair shares what it leaves, and rounding makes the pair's ratio differ from the
    /// percent written: every percent must still read back as itself, or a step would never see its weight.
    @Test(arguments: [10, 20, 30, 50, 99])
    func istioEveryPercentReadsBackAsWrittenBesideAnotherDestination(other: Int) throws {
        for percent in 0...100 {
            let share = 100 - other
            let canary = (share * percent + 50) / 100
            let route = virtualService([("primary", [dest("web-stable", weight: share - canary), dest("web-canary", weight: canary),
                                                     dest("legacy", weight: other)])])
            let split = try #require(try IstioRouter.splits(of: route, for: istioTarget()).first)
            #expect(IstioRouter.kind.weights(percent, split) == SplitWeights(stable: share - canary, canary: canary))
            let read = IstioRouter.kind.percents(of: split)
            #expect(read.contains(percent), "\(percent)% beside \(other) read back as \(read)")
            // Only percents that write these very weights share the reading.
            for p in read { #expect(IstioRouter.kind.weights(p, split) == IstioRouter.kind.weights(percent, split)) }
            let observed = IstioRouter.kind.observation(of: route, for: istioTarget())
            #expect(observed.weights?.isAt(percent) == true)
        }
    }

    @Test func istioOtherDestinationsTakingEverythingIsUnusable() {
        let route = virtualService([("primary", [dest("web-stable", weight: 0), dest("web-canary", weight: 0), dest("legacy", weight: 100)])])
        #expect(throws: UnusableRoute.self) { try IstioRouter.splits(of: route, for: istioTarget()) }
        #expect(IstioRouter.kind.observation(of: route, for: istioTarget()).problem?.contains("all of 100") == true)
    }

    @Test func istioNamedRoutesAreExactlyThoseNamed() throws {
        let route = virtualService([
            ("primary", [dest("web-stable", weight: 90), dest("web-canary", weight: 10)]),
            ("mobile", [dest("web-stable", weight: 50), dest("web-canary", weight: 50)]),
            ("beta", [dest("web-stable", weight: 0), dest("web-canary", weight: 100)]),
        ])
        let splits = try IstioRouter.splits(of: route, for: istioTarget(routes: ["beta", "primary", "beta"]))
        #expect(splits.map(\.location.label) == ["http route \"beta\"", "http route \"primary\""])
        #expect(splits.map({ IstioRouter.kind.percents(of: $0).lowerBound }) == [100, 10])
    }

    // MARK: The guarded patch

    @Test func patchTestsIdentityAndCurrentWeightBeforeEachReplace() throws {
        let route = httpRoute([[ref("docs", weight: 7), ref("web-stable", weight: 95), ref("web-canary", weight: 5)]])
        let patch = try GatewayAPIRouter.kind.guardedPatch(sending: 25, in: route, for: gatewayTarget)
        let expected: [JSONValue] = [
            ["op": "test", "path": "/spec/rules/0/backendRefs/1/name", "value": "web-stable"],
            ["op": "test", "path": "/spec/rules/0/backendRefs/1/weight", "value": 95],
            ["op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 75],
            ["op": "test", "path": "/spec/rules/0/backendRefs/2/name", "value": "web-canary"],
            ["op": "test", "path": "/spec/rules/0/backendRefs/2/weight", "value": 5],
            ["op": "replace", "path": "/spec/rules/0/backendRefs/2/weight", "value": 25],
        ]
        #expect(patch == expected)
        // Applied, it changes exactly the two weights.
        var want = route
        want[path: ["spec", "rules"]] = [["backendRefs": [ref("docs", weight: 7), ref("web-stable", weight: 75), ref("web-canary", weight: 25)]]]
        #expect(try route.applyingJSONPatch(.array(patch)) == want)
    }

    /// A backendRef's group, kind and namespace are tested too, when it has them: a same-named backend of another
    /// kind or namespace moved to that index since the read fails the patch instead of getting the weight.
    @Test func patchAlsoTestsTheQualifiersAnEntryHas() throws {
        let stable = ref("web-stable", weight: 100, extra: ["group": "", "kind": "Service", "namespace": "shop"])
        let route = httpRoute([[stable, ref("web-canary", weight: 0)]])
        let patch = try GatewayAPIRouter.kind.guardedPatch(sending: 5, in: route, for: gatewayTarget)
        #expect(Array(patch.prefix(6)) == [
            ["op": "test", "path": "/spec/rules/0/backendRefs/0/group", "value": ""],
            ["op": "test", "path": "/spec/rules/0/backendRefs/0/kind", "value": "Service"],
            ["op": "test", "path": "/spec/rules/0/backendRefs/0/namespace", "value": "shop"],
            ["op": "test", "path": "/spec/rules/0/backendRefs/0/name", "value": "web-stable"],
            ["op": "test", "path": "/spec/rules/0/backendRefs/0/weight", "value": 100],
            ["op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 95],
        ])
        var moved = route
        moved[path: ["spec", "rules"]] = [["backendRefs": [ref("web-stable", weight: 100, extra: ["group": "", "kind": "Service", "namespace": "other"]),
                                                             ref("web-canary", weight: 0)]]]
        #expect(throws: (any Error).self) { try moved.applyingJSONPatch(.array(patch)) }
    }

    @Test func patchAddsAMissingWeightWithoutTestingIt() throws {
        let route = virtualService([("primary", [dest("web-canary.shop.svc.cluster.local"), dest("web-stable.shop.svc.cluster.local", weight: 100)])])
        let patch = try IstioRouter.kind.guardedPatch(sending: 5, in: route, for: istioTarget())
        #expect(patch == [
            ["op": "test", "path": "/spec/http/0/route/1/destination/host", "value": "web-stable.shop.svc.cluster.local"],
            ["op": "test", "path": "/spec/http/0/route/1/weight", "value": 100],
            ["op": "replace", "path": "/spec/http/0/route/1/weight", "value": 95],
            ["op": "test", "path": "/spec/http/0/route/0/destination/host", "value": "web-canary.shop.svc.cluster.local"],
            ["op": "add", "path": "/spec/http/0/route/0/weight", "value": 5],
        ])
    }

    @Test func patchSkipsSplitsAlreadyAtTheWeight() throws {
        let atFive = httpRoute([[ref("web-stable", weight: 95), ref("web-canary", weight: 5)]])
        #expect(try GatewayAPIRouter.kind.guardedPatch(sending: 5, in: atFive, for: gatewayTarget).isEmpty)
        // A default weight that already is the one wanted needs no write either.
        let allStable = virtualService([("primary", [dest("web-stable", weight: 100), dest("web-canary")])])
        #expect(try IstioRouter.kind.guardedPatch(sending: 0, in: allStable, for: istioTarget()).isEmpty)
        // Equal default weights are 50 %, but not the 50/50 asked for: written.
        let halves = httpRoute([[ref("web-stable", weight: 1), ref("web-canary")]])
        #expect(try GatewayAPIRouter.kind.guardedPatch(sending: 50, in: halves, for: gatewayTarget).count == 5)
        // Only the rule that is not there yet is written.
        let mixed = httpRoute([[ref("web-stable", weight: 95), ref("web-canary", weight: 5)], [ref("web-stable", weight: 1), ref("web-canary", weight: 1)]])
        let patch = try GatewayAPIRouter.kind.guardedPatch(sending: 5, in: mixed, for: gatewayTarget)
        #expect(patch.compactMap { $0["path"]?.stringValue }.allSatisfy { $0.hasPrefix("/spec/rules/1/") })
        #expect(patch.filter { $0["op"] == "replace" }.map { $0["value"] } == [95, 5])
    }

    @Test func weightOutsideZeroToHundredIsClamped() throws {
        let route = httpRoute([[ref("web-stable", weight: 50), ref("web-canary", weight: 50)]])
        let high = try GatewayAPIRouter.kind.guardedPatch(sending: 140, in: route, for: gatewayTarget)
        #expect(high.filter { $0["op"] == "replace" }.map { $0["value"] } == [0, 100])
        let low = try GatewayAPIRouter.kind.guardedPatch(sending: -3, in: route, for: gatewayTarget)
        #expect(low.filter { $0["op"] == "replace" }.map { $0["value"] } == [100, 0])
    }

    @Test func stalePatchFailsOnTheEditedRoute() throws {
        let route = httpRoute([[ref("web-stable", weight: 95), ref("web-canary", weight: 5)]])
        let patch = JSONValue.array(try GatewayAPIRouter.kind.guardedPatch(sending: 50, in: route, for: gatewayTarget))
        // Someone changed a weight in between.
        var reweighted = route
        reweighted[path: ["spec", "rules"]] = [["backendRefs": [ref("web-stable", weight: 90), ref("web-canary", weight: 5)]]]
        #expect(throws: PatchError.testFailed(path: "/spec/rules/0/backendRefs/0/weight")) { try reweighted.applyingJSONPatch(patch) }
        // Someone put a backend first: the indices now point at other entries.
        var reordered = route
        reordered[path: ["spec", "rules"]] = [["backendRefs": [ref("docs", weight: 95), ref("web-stable", weight: 95), ref("web-canary", weight: 5)]]]
        #expect(throws: PatchError.testFailed(path: "/spec/rules/0/backendRefs/0/name")) { try reordered.applyingJSONPatch(patch) }
    }

    @Test func patchLeavesEverythingElseAlone() throws {
        let route = virtualService([
            ("docs", [dest("docs", weight: 100)]),
            ("primary", [dest("web-stable", weight: 70), dest("legacy", weight: 30), dest("web-canary", weight: 0)]),
        ])
        let patched = try route.applyingJSONPatch(.array(try IstioRouter.kind.guardedPatch(sending: 50, in: route, for: istioTarget())))
        let want = virtualService([
            ("docs", [dest("docs", weight: 100)]),
            ("primary", [dest("web-stable", weight: 35), dest("legacy", weight: 30), dest("web-canary", weight: 35)]),
        ])
        #expect(patched == want)
        #expect(IstioRouter.kind.observation(of: patched, for: istioTarget()) == .weights(RouteWeights(canary: [50])))
    }
}
