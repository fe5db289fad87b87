import Foundation
import KubeJSON
import RolloutAPI
@testable import RolloutController
import Testing
import Yams

/// The router examples in manifests/examples/routers: each Rollout is valid, names the route beside it, and that
/// route is one its router can use (both Services present, everything on stable).
@Suite struct RouterExamplesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("manifests/examples/routers")

    /// The documents of an example file, as JSON.
    func documents(_ file: String) throws -> [JSONValue] {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        return try Yams.load_all(yaml: text).map { document in
            try JSONValue(parsing: try JSONSerialization.data(withJSONObject: try #require(document)))
        }
    }

    func example(_ file: String) throws -> (rollout: Rollout, route: JSONValue, target: RouteTarget) {
        let docs = try documents(file)
        let rolloutJSON = try #require(docs.first { $0["kind"] == "Rollout" })
        let route = try #require(docs.first { $0["kind"] != "Rollout" })
        let rollout = try rolloutJSON.decode(as: Rollout.self)
        let effective = try RolloutResolver.resolve(rollout).get()
        let reference = try #require(effective.routing.route, "\(file): the Rollout names a router")
        #expect(reference.name == route[path: ["metadata", "name"]]?.stringValue, "\(file): the Rollout names the route beside it")
        #expect(reference.kind.objectKind == route["kind"]?.stringValue)
        let target = try #require(PlanApplier.routeTarget(reference, rollout: rollout))
        return (rollout, route, target)
    }

    @Test func theGatewayAPIExampleIsUsableAndAllOnStable() throws {
        let (_, route, target) = try example("gateway-api.yaml")
        #expect(GatewayAPIRouter.kind.observation(of: route, for: target) == .weights(RouteWeights(canary: [0])))
    }

    @Test func theIstioExampleIsUsableAndAllOnStable() throws {
        let (_, route, target) = try example("istio.yaml")
        #expect(target.route.routes == ["primary"])
        #expect(IstioRouter.kind.observation(of: route, for: target) == .weights(RouteWeights(canary: [0])))
    }

    @Test func theNginxExampleHasAPathToStableForTheCanaryIngress() throws {
        let (_, ingress, target) = try example("nginx.yaml")
        let canary = try #require(NginxCanaryIngress(copying: ingress, for: target))
        #expect(canary.name == "shop-canary")
        #expect(canary.rules.count == 1)
    }
}
