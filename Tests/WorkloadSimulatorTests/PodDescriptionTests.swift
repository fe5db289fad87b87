import Foundation
import Kube
import Testing
@testable import WorkloadSimulator

/// Pods as the emulator's Deployment stand-in creates them.
enum PodFixtures {
    static func pod(_ name: String = "shop-5d8f7c9b4-x2x7q", namespace: String = "prod", labels: [String: String] = [:],
                    env: [String: String] = [:], otherContainers: [[String: String]] = [], ready: Bool = true,
                    deleting: Bool = false, uid: String? = nil) -> Pod {
        func container(_ name: String, _ env: [String: String]) -> Container {
            Container(name: name, image: "registry.example/shop:1",
                      env: env.keys.sorted().map { EnvVar(name: $0, value: env[$0]) })
        }
        var metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
        metadata.uid = uid ?? "uid-\(namespace)-\(name)"
        if deleting { metadata.deletionTimestamp = "2026-01-01T00:00:00Z" }
        let containers = [container("app", env)] + otherContainers.enumerated().map { container("side\($0.offset)", $0.element) }
        // PodStatus has no public initialiser: decode it as the API server sends it.
        let statusJSON = #"{"phase": "Running", "conditions": [{"type": "Ready", "status": "\#(ready ? "True" : "False")"}]}"#
        let status = try! JSONDecoder().decode(PodStatus.self, from: Data(statusJSON.utf8))
        return Pod(metadata: metadata, spec: PodSpec(containers: containers), status: status)
    }
}

@Suite struct PodDescriptionTests {
    @Test func versionAndTrackComeFromTheResourceAttributes() {
        let pod = PodDescription(pod: PodFixtures.pod(
            labels: ["app": "shop", "version": "9.9.9", "track": "stable", "deployment.track": "stable"],
            env: ["OTEL_RESOURCE_ATTRIBUTES": "service.version=1.2.0%2Bbuild,deployment.track=canary,team=a"]))
        #expect(pod.serviceVersion == "1.2.0+build")
        #expect(pod.deploymentTrack == "canary")
        #expect(pod.serviceName == "shop")
        #expect(pod.serviceNamespace == "prod")
        #expect(pod.resourceAttributes["team"] == "a")
        #expect(pod.resourceAttributes["k8s.pod.name"] == "shop-5d8f7c9b4-x2x7q")
        #expect(pod.resourceAttributes["service.name"] == "shop")
    }

    @Test func labelsNeverStandInForVersionOrTrack() {
        let pod = PodDescription(pod: PodFixtures.pod(labels: [
            "app": "shop", "app.kubernetes.io/version": "1.0.0", "fledge.dev/track": "stable", "version": "1.0.0",
        ]))
        #expect(pod.serviceVersion == nil)
        #expect(pod.deploymentTrack == nil)
    }

    @Test func serviceNamePrecedence() {
        let labels = ["fledge.dev/rollout": "rollout-name", "app": "app-label", "pod-template-hash": "5d8f7c9b4"]
        let all = PodDescription(pod: PodFixtures.pod(labels: labels, env: [
            "OTEL_SERVICE_NAME": "from-env", "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attribute",
        ]))
        #expect(all.serviceName == "from-env")
        let attribute = PodDescription(pod: PodFixtures.pod(labels: labels, env: ["OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attribute"]))
        #expect(attribute.serviceName == "from-attribute")
        #expect(PodDescription(pod: PodFixtures.pod(labels: labels)).serviceName == "rollout-name")
        #expect(PodDescription(pod: PodFixtures.pod(labels: ["app": "app-label"])).serviceName == "app-label")
        #expect(PodDescription(pod: PodFixtures.pod(labels: ["pod-template-hash": "5d8f7c9b4"])).serviceName == "shop")
        #expect(PodDescription(pod: PodFixtures.pod("batch-job-abcde")).serviceName == "batch-job")
    }

    @Test func serviceNamespaceFromTheAttributeElseThePodNamespace() {
        #expect(PodDescription(pod: PodFixtures.pod(env: ["OTEL_RESOURCE_ATTRIBUTES": "service.namespace=shop-team"])).serviceNamespace == "shop-team")
        #expect(PodDescription(pod: PodFixtures.pod(namespace: "staging")).serviceNamespace == "staging")
    }

    @Test func otelVariablesFromTheFirstContainerThatSetsThemBehaviourFromTheFirstContainer() {
        let pod = PodDescription(pod: PodFixtures.pod(
            env: ["DEMO_ERROR_RATE": "0.3"],
            otherContainers: [["OTEL_RESOURCE_ATTRIBUTES": "deployment.track=stable", "DEMO_ERROR_RATE": "0.9"]]))
        #expect(pod.deploymentTrack == "stable")
        #expect(pod.behaviour.errorRate == 0.3)
    }

    @Test func servingNeedsReadyAndNotDeleting() {
        #expect(PodDescription(pod: PodFixtures.pod(ready: true)).serving)
        #expect(!PodDescription(pod: PodFixtures.pod(ready: false)).serving)
        #expect(!PodDescription(pod: PodFixtures.pod(ready: true, deleting: true)).serving)
        var noStatus = PodFixtures.pod()
        noStatus.status = nil
        #expect(!PodDescription(pod: noStatus).serving)
    }

    @Test func problemsAreCollected() {
        let pod = PodDescription(pod: PodFixtures.pod(env: [
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.track=canary,oops", "DEMO_LATENCY_MS": "fast",
        ]))
        #expect(pod.deploymentTrack == "canary")
        #expect(pod.problems.count == 2)
    }
}
