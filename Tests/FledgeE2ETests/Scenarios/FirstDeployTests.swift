import Foundation
import KubeJSON
import Testing

/// The first apply of a Rollout: no canary, the stable Deployment at full size, tagged for telemetry.
@Suite("E2E: first deploy")
struct FirstDeployTests {
    @Test("first apply creates the stable Deployment and Services and ends Healthy, Completed")
    func firstDeploy() async throws {
        try await Scenario.run("first") { s in
            let manifest = s.manifest("web", version: "1.0.0")
            try await s.kubectl.apply(manifest.text)

            // `kubectl wait` on the Completed condition works on our resource.
            try await s.kubectl.ok("wait", "-n", s.namespace, "--for=condition=Completed", "--timeout=90s", "rollout/web",
                                   timeout: .seconds(100))
            let rollout = try await s.waitForHealthy("web", stableVersion: "1.0.0")
            #expect(Scenario.condition(rollout, "Completed")?["status"]?.stringValue == "True")
            #expect(Scenario.condition(rollout, "Available")?["status"]?.stringValue == "True")
            #expect(rollout.string("status.stableVersion") == "1.0.0")

            let stable = try #require(try await s.deployment("web-stable"))
            #expect(stable.int("spec.replicas") == 10)
            #expect(stable.string("metadata.ownerReferences[0].kind") == "Rollout")
            #expect(stable.string("metadata.ownerReferences[0].name") == "web")
            let labels = stable.at("spec.template.metadata.labels")
            #expect(labels?["fledge.dev/rollout"]?.stringValue == "web")
            #expect(labels?["fledge.dev/track"]?.stringValue == "stable")
            #expect(labels?["app.kubernetes.io/version"]?.stringValue == "1.0.0")
            #expect(labels?["app"]?.stringValue == "web")
            let env = stable.at("spec.template.spec.containers[0].env")?.arrayValue ?? []
            let attributes = env.first { $0["name"]?.stringValue == "OTEL_RESOURCE_ATTRIBUTES" }?["value"]?.stringValue ?? ""
            let pairs = Set(attributes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(pairs.isSuperset(of: ["team=checkout", "service.version=1.0.0", "deployment.track=stable"]),
                    "OTEL_RESOURCE_ATTRIBUTES=\(attributes)")
            // The user's own env stays.
            #expect(env.contains { $0["name"]?.stringValue == "DEMO_ERROR_RATE" && $0["value"]?.stringValue == "0.005" })

            // The stable Deployment becomes available at full size.
            try await waitUntil("web-stable to have 10 available replicas", timeout: .seconds(60)) {
                try await s.deployment("web-stable")?.int("status.availableReplicas") == 10
            }
            // No canary runs.
            let canaryReplicas = try await s.replicas("web-canary") ?? 0
            #expect(canaryReplicas == 0)

            for service in ["web", "web-stable", "web-canary"] {
                let object = try await s.kubectl.getJSON(["service", service, "-n", s.namespace])
                #expect(object != nil, "Service \(service) missing")
            }

            // The app's telemetry reaches Prometheus tagged with the version and track Fledge set.
            try await s.environment.prometheus.waitForSeries(
                "http_server_request_duration_seconds_count{service_namespace=\"\(s.namespace)\",service_name=\"web\",service_version=\"1.0.0\",deployment_track=\"stable\"}")
        }
    }
}
