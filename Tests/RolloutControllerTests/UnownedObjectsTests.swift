import Foundation
import Kube
import KubeJSON
import RolloutAPI
import RolloutController
import TestSupport
import Testing

/// Never take over what is not ours: a Deployment or Service that already has a name the Rollout would use, and
/// that the Rollout does not control, is left exactly as it is (no forced apply), and the Rollout says why with
/// ResourceConflict. Fledge's caches see only objects with its label, so these are read from the API server.
@Suite(.timeLimit(.minutes(TestTimeouts.minutes(1))))
struct UnownedObjectsTests {
    static let goodSamples = Array(repeating: Traffic.good, count: 10)

    /// A Deployment someone else made, without Fledge's label or an owner.
    static func foreignDeployment(_ name: String) -> DynamicObject {
        DynamicObject([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": "legacy"]],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": "legacy"]],
                "template": ["metadata": ["labels": ["app": "legacy"]],
                             "spec": ["containers": [["name": "legacy", "image": "legacy:7"]]]],
            ],
        ])
    }

    @Test func anUnlabelledDeploymentNamedLikeStableIsLeftAlone() async throws {
        try await Cluster.with(samples: Self.goodSamples) { cluster in
            let _: DynamicObject = try await cluster.client.create(.deployments, Self.foreignDeployment(Fixture.stableName), namespace: "default")
            let before = try #require(try await cluster.deployment(Fixture.stableName))
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(50), .weight(100)]))
                try await cluster.waitFor("ResourceConflict") { $0.condition(.progressing)?.reason == "ResourceConflict" }
                let status = try await cluster.status()
                #expect(status.phase == .degraded)
                #expect(status.message?.contains("Deployment \(Fixture.stableName) exists and is not controlled by this Rollout") == true,
                        "\(status.message ?? "")")
                let reasons = try await cluster.events().compactMap { $0["reason"]?.stringValue }
                #expect(reasons.filter { $0 == "ResourceConflict" }.count == 1, "\(reasons)")
            }
            let after = try #require(try await cluster.deployment(Fixture.stableName))
            #expect(after.metadata.labels == before.metadata.labels, "no label added")
            #expect(after.spec?.template?.spec?.containers.first?.image == "legacy:7")
            #expect(after.metadata.annotations?[FledgeNames.templateHashAnnotation] == nil)
            #expect(after.spec?.replicas == 2)
            #expect(after.metadata.ownerReferences == nil)
            let writes = try await cluster.requestLog().filter { ($0["path"]?.stringValue ?? "").hasSuffix("/deployments/\(Fixture.stableName)") }
            #expect(writes.isEmpty, "no write to the foreign Deployment: \(writes.map(\.jsonString))")
        }
    }

    @Test func anUnownedServiceNamedLikeTheCanaryServiceIsLeftAlone() async throws {
        try await Cluster.with(samples: Self.goodSamples) { cluster in
            let service = DynamicObject([
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "shop-canary", "namespace": "default"],
                "spec": ["selector": ["app": "elsewhere"], "ports": [["port": 80]]],
            ])
            let _: DynamicObject = try await cluster.client.create(.services, service, namespace: "default")
            try await cluster.withController {
                try await cluster.create(clusterRollout(steps: [.weight(50), .weight(100)]))
                try await cluster.waitFor("ResourceConflict") { $0.condition(.progressing)?.reason == "ResourceConflict" }
                #expect(try await cluster.status().message?.contains("Service shop-canary exists and is not controlled by this Rollout") == true)
                #expect(try await cluster.deployment(Fixture.stableName) == nil, "nothing deployed while a name is taken")
            }
            let live: DynamicObject = try await cluster.client.get(.services, name: "shop-canary", namespace: "default")
            #expect(live.json[path: ["spec", "selector", "app"]] == "elsewhere")
        }
    }
}
