import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct GarbageCollectionTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    func ownedConfigMap(_ name: String, owner: JSONValue, block: Bool = false) -> JSONValue {
        var cm = Objects.configMap(name)
        cm[path: ["metadata", "ownerReferences"]] = [[
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner[path: ["metadata", "name"]]!, "uid": owner[path: ["metadata", "uid"]]!,
            "blockOwnerDeletion": .bool(block),
        ]]
        return cm
    }

    @Test func backgroundDeletesDependentsAfterOwner() async throws {
        try await withEmulator { _, c in
            let owner = try await c.post(cms, Objects.configMap("owner")).body
            try await c.post(cms, ownedConfigMap("child", owner: owner))
            let d = try await c.delete("\(cms)/owner?propagationPolicy=Background")
            #expect(d.status == 200)
            #expect(try await c.get("\(cms)/owner").status == 404)
            try await TestClient.eventually(5, "child deleted") { try await c.get("\(cms)/child").status == 404 }
        }
    }

    @Test func foregroundKeepsOwnerUntilDependentsAreGone() async throws {
        try await withEmulator { _, c in
            let owner = try await c.post(cms, Objects.configMap("owner")).body
            var child = ownedConfigMap("child", owner: owner, block: true)
            child[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            try await c.post(cms, child)
            let d = try await c.delete("\(cms)/owner", ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"])
            #expect(d.status == 200)
            #expect(d.body[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            let held = try await c.get("\(cms)/owner").body
            #expect(held[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(held[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            try await TestClient.eventually(5, "child marked for deletion") {
                try await c.get("\(cms)/child").body[path: ["metadata", "deletionTimestamp"]] != nil
            }
            #expect(try await c.get("\(cms)/owner").status == 200)
            try await c.patch("\(cms)/child", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
            try await TestClient.eventually(5, "owner deleted") { try await c.get("\(cms)/owner").status == 404 }
        }
    }

    @Test func orphanRemovesOwnerReferences() async throws {
        try await withEmulator { _, c in
            let owner = try await c.post(cms, Objects.configMap("owner")).body
            try await c.post(cms, ownedConfigMap("child", owner: owner))
            try await c.delete("\(cms)/owner?propagationPolicy=Orphan")
            let child = try await c.get("\(cms)/child")
            #expect(child.status == 200)
            #expect(child.body[path: ["metadata", "ownerReferences"]] == nil)
        }
    }
}

@Suite struct DeploymentControllerTests {
    let path = "/apis/apps/v1/namespaces/default/deployments"

    func condition(_ d: JSONValue, _ type: String) -> JSONValue? {
        d[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    @Test func becomesAvailableWithPods() async throws {
        try await withEmulator { _, c in
            try await c.post(path, Objects.deployment("web", replicas: 3))
            try await TestClient.eventually(10, "deployment available") {
                let d = try await c.get("\(path)/web").body
                return d[path: ["status", "availableReplicas"]] == 3
            }
            let d = try await c.get("\(path)/web").body
            #expect(d[path: ["status", "observedGeneration"]] == d[path: ["metadata", "generation"]])
            #expect(d[path: ["status", "readyReplicas"]] == 3)
            #expect(d[path: ["status", "updatedReplicas"]] == 3)
            #expect(condition(d, "Available")?["status"] == "True")
            #expect(condition(d, "Progressing")?["reason"] == "NewReplicaSetAvailable")
            let pods = try await c.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").body["items"]?.arrayValue ?? []
            #expect(pods.count == 3)
            #expect(pods.allSatisfy { $0[path: ["status", "phase"]] == "Running" })
            let events = try await c.get("/api/v1/namespaces/default/events").body["items"]?.arrayValue ?? []
            #expect(events.contains { $0["reason"] == "ScalingReplicaSet" && $0[path: ["involvedObject", "name"]] == "web" })
            // Deleting the deployment collects its ReplicaSet and Pods.
            try await c.delete("\(path)/web")
            try await TestClient.eventually(10, "pods collected") {
                try await c.get("/api/v1/namespaces/default/pods").body["items"]?.arrayValue?.isEmpty == true
            }
        }
    }

    /// A server-side apply that only changes the replicas keeps the pod template as it was (the applied container
    /// port has no `protocol`, the live one was defaulted to TCP: the same list item), so the available pods stay
    /// available, as with a real Deployment. It once added the port a second time, a new template, and every pod
    /// restarted on each scale.
    @Test func anApplyThatOnlyScalesKeepsThePodsAvailable() async throws {
        try await withEmulator { _, c in
            let apply = "application/apply-patch+yaml"
            var d = Objects.deployment("web", replicas: 1)
            d[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1", "ports": [["containerPort": 8080, "name": "http"]]]]
            _ = try await c.patch("\(path)/web?fieldManager=tester&force=true", d, type: apply)
            try await TestClient.eventually(10, "deployment available") {
                try await c.get("\(path)/web").body[path: ["status", "availableReplicas"]] == 1
            }
            let before = try await c.get("\(path)/web").body[path: ["spec", "template"]]
            let podsPath = "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb"
            let runningPod = try await c.get(podsPath).body["items"]?.arrayValue?.first?[path: ["metadata", "name"]]
            #expect(runningPod != nil)
            d[path: ["spec", "replicas"]] = 3
            _ = try await c.patch("\(path)/web?fieldManager=tester&force=true", d, type: apply)
            try await TestClient.eventually(10, "the scale observed") {
                let d = try await c.get("\(path)/web").body
                return d[path: ["status", "observedGeneration"]] == d[path: ["metadata", "generation"]]
                    && d[path: ["status", "replicas"]] == 3
            }
            let after = try await c.get("\(path)/web").body
            #expect(after[path: ["spec", "template"]] == before)
            #expect(after[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["ports"]?.arrayValue?.count == 1)
            // The running pod is kept (not replaced by a new template's pod) while two more start; how soon those
            // two are available depends on the machine, so only the kept pod and the one ReplicaSet are asserted.
            let podsAfter = try await c.get(podsPath).body["items"]?.arrayValue ?? []
            #expect(podsAfter.contains { $0[path: ["metadata", "name"]] == runningPod }, "the running pod stays")
            #expect((after[path: ["status", "availableReplicas"]]?.doubleValue ?? 0) >= 1, "never below the one available pod")
            let replicaSets = try await c.get("/apis/apps/v1/namespaces/default/replicasets").body["items"]?.arrayValue ?? []
            #expect(replicaSets.count == 1, "a scale makes no new ReplicaSet")
            // Fields the applier left out stay as others set them: a scale by another manager survives an apply
            // without replicas.
            _ = try await c.patch("\(path)/web?fieldManager=scaler", ["spec": ["replicas": 5]], type: "application/merge-patch+json")
            d[path: ["spec", "replicas"]] = nil
            _ = try await c.patch("\(path)/web?fieldManager=tester&force=true", d, type: apply)
            #expect(try await c.get("\(path)/web").body[path: ["spec", "replicas"]] == 5)
        }
    }

    @Test func neverReadyHitsProgressDeadline() async throws {
        try await withEmulator { _, c in
            try await c.post(path, Objects.deployment("stuck", annotations: [DeploymentController.neverReadyAnnotation: "true"], deadline: 1))
            try await TestClient.eventually(10, "progress deadline exceeded") {
                condition(try await c.get("\(path)/stuck").body, "Progressing")?["reason"] == "ProgressDeadlineExceeded"
            }
            let d = try await c.get("\(path)/stuck").body
            #expect(condition(d, "Progressing")?["status"] == "False")
            #expect(condition(d, "Available")?["status"] == "False")
            #expect((d[path: ["status", "availableReplicas"]]?.intValue ?? 0) == 0)
        }
    }
}

@Suite struct AdminTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    @Test func faultInjection() async throws {
        try await withEmulator { _, c in
            try await c.post("/emulator.fledge.dev/faults", ["path": "/configmaps", "verb": "POST", "code": 429, "count": 2, "retryAfterSeconds": 3])
            for _ in 0..<2 {
                let r = try await c.post(cms, Objects.configMap("a"))
                #expect(r.status == 429)
                #expect(r.body["reason"] == "TooManyRequests")
                #expect(r.headers["Retry-After"].first == "3")
                #expect(r.body[path: ["details", "retryAfterSeconds"]] == 3)
            }
            #expect(try await c.post(cms, Objects.configMap("a")).status == 201)
            try await c.post("/emulator.fledge.dev/faults", ["verb": "get", "code": 503])
            #expect(try await c.get(cms).status == 200)
            let unavailable = try await c.get("\(cms)/a")
            #expect(unavailable.status == 503)
            #expect(unavailable.body["reason"] == "ServiceUnavailable")
            try await c.post("/emulator.fledge.dev/faults", ["path": "/configmaps/a", "code": 409])
            #expect(try await c.delete("\(cms)/a").body["reason"] == "Conflict")
            try await c.post("/emulator.fledge.dev/faults", ["code": 500])
            #expect(try await c.get(cms).body["reason"] == "InternalError")
        }
    }

    @Test func latencyRuleApplies() async throws {
        try await withEmulator { _, c in
            try await c.post("/emulator.fledge.dev/latency", ["path": "/configmaps", "milliseconds": 1])
            #expect(try await c.get(cms).status == 200)
            try await c.delete("/emulator.fledge.dev/latency")
        }
    }

    @Test func requestLog() async throws {
        try await withEmulator { _, c in
            try await c.post(cms, Objects.configMap("a"))
            try await c.get(cms)
            try await c.patch("\(cms)/a?fieldManager=me", ["data": ["x": "y"]], type: "application/merge-patch+json")
            let log = try await c.get("/emulator.fledge.dev/requests").body["items"]?.arrayValue ?? []
            #expect(log.map { $0["verb"] } == ["create", "patch"])
            #expect(log[1]["query"] == "fieldManager=me")
            #expect(log[1]["userAgent"] == "emulator-tests/1.0")
            #expect(log[1]["body"] == ["data": ["x": "y"]])
            #expect(log[0]["time"]?.stringValue?.isEmpty == false)
            try await c.delete("/emulator.fledge.dev/requests")
            #expect(try await c.get("/emulator.fledge.dev/requests").body["items"] == [])
        }
    }
}
