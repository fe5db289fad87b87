import Foundation
import KubeJSON
import Testing

/// The controller killed mid-step, and the API server failing under it: the rollout still converges, and no step
/// is applied twice.
@Suite("E2E: resilience")
struct ResilienceTests {
    @Test("controller SIGKILLed mid-step and restarted: resumes, no step applied twice")
    func controllerKilledMidStep() async throws {
        try await Scenario.run("restart") { s in
            let controller = try #require(s.controller)
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .analysis("8s"), .weight(50), .analysis("8s"), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)

            // Mid-step: the first analysis has produced a verdict and its window is not over.
            try await s.waitForRollout("shop", "analysing 2.0.0 at step 1") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.lastAnalysis.canaryVersion") == "2.0.0"
            }
            await controller.kill9()
            let frozen = try #require(try await s.rollout("shop"))
            try await Task.sleep(for: .seconds(2))
            try await controller.start()

            let done = try await s.waitForHealthy("shop", stableVersion: "2.0.0", timeout: .seconds(150))
            #expect(done.string("status.lastAnalysis.decision") == "promote")
            #expect((frozen.int("status.currentStepIndex") ?? 0) <= (done.int("status.currentStepIndex") ?? 0))

            // The API server's log of writes: the canary's replicas went through each value once, never back.
            let values = try await s.canaryReplicaWrites("shop")
            var changes: [Int] = []
            for value in values where changes.last != value { changes.append(value) }
            #expect(Set(changes).count == changes.count, "the canary's replicas were set to a value twice: \(changes) (all writes: \(values))")
            #expect(changes.last == 0, "the canary ends scaled to 0: \(changes)")
            #expect(changes.contains(1) && changes.contains(5), "the canary passed 10% (1 pod) and 50% (5 pods): \(changes)")
        }
    }

    @Test("API faults (409, 500, dropped watches, 410 Gone) during a rollout: it still converges")
    func apiFaultsDuringRollout() async throws {
        try await Scenario.run("faults") { s in
            let controller = try #require(s.controller)
            let ns = "/namespaces/\(s.namespace)/"
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .analysis("6s"), .weight(50), .analysis("6s"), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)

            // Scoped to this namespace and to requests kubectl does not make here, so only the controller sees them.
            let env = s.environment
            try await env.injectFault(path: "\(ns)deployments", verb: "PATCH", code: 409, count: 2)
            try await env.injectFault(path: "\(ns)deployments", verb: "PATCH", code: 500, count: 2)
            try await env.injectFault(path: "\(ns)deployments", verb: "POST", code: 500, count: 1)
            try await env.injectFault(path: "\(ns)rollouts/shop/status", code: 409, count: 2)
            try await env.injectFault(path: "\(ns)rollouts/shop/status", code: 500, count: 2)
            try await env.injectFault(path: "\(ns)events", verb: "POST", code: 500, count: 2)
            try await env.injectFault(path: "\(ns)rollouts", verb: "watch", code: 410, count: 2)
            try await env.injectFault(path: "\(ns)deployments", verb: "watch", code: 410, count: 1)
            try await env.dropWatches()

            try await s.waitForRollout("shop", "the canary started despite the faults", timeout: .seconds(90)) { r in
                r.string("status.canaryVersion") == "2.0.0" && (r.int("status.currentStepIndex") ?? 0) >= 1
            }
            try await env.injectFault(path: "\(ns)rollouts", verb: "watch", code: 410, count: 1)
            try await env.dropWatches()
            try await env.injectFault(path: "\(ns)deployments", verb: "PATCH", code: 409, count: 1)
            try await s.waitForRollout("shop", "step 2 or later", timeout: .seconds(90)) { r in
                (r.int("status.currentStepIndex") ?? 0) >= 2 || r.string("status.stableVersion") == "2.0.0"
            }
            try await env.dropWatches()

            try await s.waitForHealthy("shop", stableVersion: "2.0.0", timeout: .seconds(150))
            try await waitUntil("shop-canary scaled to 0, shop-stable at 10 running 2.0.0", timeout: .seconds(60)) {
                let canary = try await s.replicas("shop-canary") ?? 0
                let stable = try await s.deployment("shop-stable")
                return canary == 0 && stable?.int("spec.replicas") == 10
                    && stable?.string("spec.template.spec.containers[0].image")?.hasSuffix(":2.0.0") == true
            }
            #expect(controller.isRunning)
            #expect(await HTTP.answers200("\(controller.endpoint)/healthz"))
            // A later change is still seen: the watches recovered.
            try await s.setPaused("shop", true)
            try await s.waitForRollout("shop", "the pause seen after the faults", timeout: .seconds(30)) { r in
                r.int("status.observedGeneration") == r.int("metadata.generation")
            }
        }
    }
}

extension Scenario {
    /// Every `spec.replicas` the API server was asked to give `<name>-canary` (create, update, patch, apply,
    /// scale), oldest first, from the emulator's request log.
    func canaryReplicaWrites(_ name: String) async throws -> [Int] {
        let deployment = "\(name)-canary"
        let collection = "/namespaces/\(namespace)/deployments"
        var values: [Int] = []
        for item in try await environment.requestLog() {
            let path = item["path"]?.stringValue ?? ""
            let method = item["method"]?.stringValue ?? ""
            guard path.hasPrefix("/apis/apps/v1\(collection)") else { continue }
            let body = item["body"]
            let isCanary = path.hasSuffix("\(collection)/\(deployment)") || path.hasSuffix("\(collection)/\(deployment)/scale")
                || (method == "POST" && body?.string("metadata.name") == deployment)
            guard isCanary, method != "DELETE" else { continue }
            if let replicas = body?.int("spec.replicas") {
                values.append(replicas)
            } else if let operations = body?.arrayValue {  // a JSON patch
                for op in operations where op["path"]?.stringValue == "/spec/replicas" {
                    if let replicas = op["value"]?.intValue { values.append(replicas) }
                }
            }
        }
        return values
    }
}
