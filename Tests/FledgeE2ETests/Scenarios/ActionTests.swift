import Foundation
import KubeJSON
import Testing

/// What a person does by hand: the `fledge.dev/action` annotation (promote, promote-full, abort, retry) and
/// `spec.paused`, with real `kubectl annotate` and `kubectl patch`.
@Suite("E2E: manual actions")
struct ActionTests {
    @Test("promote finishes an indefinite pause; promote-full skips every remaining step")
    func promoteAndPromoteFull() async throws {
        try await Scenario.run("promote") { s in
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .pause(), .weight(50), .pause(), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)

            try await s.waitForRollout("shop", "waiting at the first pause (step 1, 10%)") { r in
                r.int("status.currentStepIndex") == 1 && r.int("status.canaryWeight") == 10
                    && r.string("status.canaryVersion") == "2.0.0"
            }
            // An indefinite pause holds.
            try await holds("the rollout waiting at step 1", for: .seconds(3)) {
                try await s.rollout("shop")?.int("status.currentStepIndex") == 1
            }
            try await s.action("shop", "promote:p1")
            let atSecondPause = try await s.waitForRollout("shop", "promoted to the second pause (step 3, 50%)") { r in
                r.int("status.currentStepIndex") == 3 && r.int("status.canaryWeight") == 50
            }
            #expect(atSecondPause.string("status.lastAction.id") == "p1")
            #expect(atSecondPause.string("status.lastAction.action") == "promote")
            try await waitUntil("shop-canary at 5 replicas", timeout: .seconds(30)) {
                try await s.replicas("shop-canary") == 5
            }

            try await s.action("shop", "promote-full:p2")
            let done = try await s.waitForHealthy("shop", stableVersion: "2.0.0")
            #expect(done.string("status.lastAction.id") == "p2")
            #expect(done.string("status.lastAction.action") == "promote-full")
            try await waitUntil("shop-canary scaled to 0", timeout: .seconds(30)) {
                (try await s.replicas("shop-canary") ?? 0) == 0
            }
            // The same id again does nothing (each id acts once).
            try await s.action("shop", "promote-full:p2")
            try await Task.sleep(for: .seconds(2))
            let after = try #require(try await s.rollout("shop"))
            #expect(after.string("status.phase") == "Healthy")
            #expect(after.string("status.stableVersion") == "2.0.0")
        }
    }

    @Test("abort stops the canary; retry starts it again from its first step")
    func abortThenRetry() async throws {
        try await Scenario.run("abort") { s in
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .pause(), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "waiting at the pause with a 10% canary") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.canaryVersion") == "2.0.0"
            }
            try await waitUntil("shop-canary at 1 replica", timeout: .seconds(30)) { try await s.replicas("shop-canary") == 1 }

            try await s.action("shop", "abort:1")
            let aborted = try await s.waitForRollout("shop", "Degraded after abort") { r in
                r.string("status.phase") == "Degraded" && r.string("status.lastAction.id") == "1"
            }
            #expect(aborted.string("status.stableVersion") == "1.0.0")
            #expect(aborted.string("status.lastAction.action") == "abort")
            try await waitUntil("shop-canary scaled to 0, shop-stable at 10", timeout: .seconds(30)) {
                let canary = try await s.replicas("shop-canary") ?? 0
                let stable = try await s.replicas("shop-stable")
                return canary == 0 && stable == 10
            }
            // Aborted stays aborted.
            try await holds("the abort holds", for: .seconds(3)) {
                try await s.rollout("shop")?.string("status.phase") == "Degraded"
            }

            try await s.action("shop", "retry:2")
            let retried = try await s.waitForRollout("shop", "Progressing again after retry") { r in
                r.string("status.lastAction.id") == "2" && r.string("status.phase") != "Degraded"
                    && r.string("status.canaryVersion") == "2.0.0"
            }
            #expect(retried.string("status.lastAction.action") == "retry")
            #expect((retried.int("status.currentStepIndex") ?? 99) <= 1, "retry starts from the first step: \(Scenario.summary(retried) ?? "")")
            try await waitUntil("shop-canary back at 1 replica", timeout: .seconds(30)) { try await s.replicas("shop-canary") == 1 }
            try await s.waitForRollout("shop", "back at the pause") { r in r.int("status.currentStepIndex") == 1 }

            try await s.action("shop", "promote:3")
            try await s.waitForHealthy("shop", stableVersion: "2.0.0")
        }
    }

    @Test("spec.paused holds the rollout; unpausing lets it finish")
    func pauseAndResume() async throws {
        try await Scenario.run("pause") { s in
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .pause("2s"), .weight(50), .pause("2s"), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "the canary started") { r in
                r.string("status.canaryVersion") == "2.0.0" && (r.int("status.canaryWeight") ?? 0) > 0
            }
            try await s.setPaused("shop", true)
            let paused = try await s.waitForRollout("shop", "phase Paused with the Paused condition") { r in
                r.string("status.phase") == "Paused" && Scenario.condition(r, "Paused")?["status"]?.stringValue == "True"
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            let step = paused.int("status.currentStepIndex")
            // Paused for longer than every remaining pause step: nothing moves.
            try await holds("the rollout paused at step \(step ?? -1)", for: .seconds(6)) {
                let r = try await s.rollout("shop")
                return r?.string("status.phase") == "Paused" && r?.int("status.currentStepIndex") == step
                    && r?.string("status.stableVersion") == "1.0.0"
            }
            try await s.setPaused("shop", false)
            let done = try await s.waitForHealthy("shop", stableVersion: "2.0.0")
            #expect(Scenario.condition(done, "Paused")?["status"]?.stringValue != "True")
        }
    }

    @Test("a new template mid-rollout restarts the steps with the newer canary")
    func newTemplateMidRollout() async throws {
        try await Scenario.run("retarget") { s in
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.steps = [.weight(10), .pause(), .weight(50), .pause(), .weight(100)]
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            try await s.kubectl.apply(v2.text)
            try await s.waitForRollout("shop", "v2 at the first pause") { r in
                r.int("status.currentStepIndex") == 1 && r.string("status.canaryVersion") == "2.0.0"
            }
            try await s.action("shop", "promote:a")
            try await s.waitForRollout("shop", "v2 at the second pause (50%)") { r in r.int("status.currentStepIndex") == 3 }

            var v3 = v1
            v3.version = "3.0.0"
            try await s.kubectl.apply(v3.text)
            let restarted = try await s.waitForRollout("shop", "v3 as the canary, back at the first pause") { r in
                r.string("status.canaryVersion") == "3.0.0" && r.int("status.currentStepIndex") == 1
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            #expect(restarted.string("status.stableVersion") == "1.0.0", "the half-done v2 never became stable")
            #expect(restarted.int("status.canaryWeight") == 10)
            try await waitUntil("shop-canary runs 3.0.0 at 1 replica", timeout: .seconds(30)) {
                let canary = try await s.deployment("shop-canary")
                return canary?.string("spec.template.spec.containers[0].image")?.hasSuffix(":3.0.0") == true
                    && canary?.int("spec.replicas") == 1
            }
            try await s.action("shop", "promote-full:b")
            try await s.waitForHealthy("shop", stableVersion: "3.0.0")
        }
    }

    @Test("a canary that never becomes available is rolled back at the progress deadline")
    func progressDeadline() async throws {
        try await Scenario.run("deadline") { s in
            var v1 = s.manifest("shop", version: "1.0.0")
            v1.progressDeadlineSeconds = 6
            try await s.kubectl.apply(v1.text)
            try await s.waitForHealthy("shop", stableVersion: "1.0.0")
            var v2 = v1
            v2.version = "2.0.0"
            v2.templateAnnotations = ["emulator.fledge.dev/never-ready": "true"]
            try await s.kubectl.apply(v2.text)
            let rollout = try await s.waitForRollout("shop", "Degraded with reason ProgressDeadlineExceeded", timeout: .seconds(90)) { r in
                r.string("status.phase") == "Degraded"
            }
            let reasons = (rollout.at("status.conditions")?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
            #expect(reasons.contains("ProgressDeadlineExceeded"), "conditions: \(Scenario.summary(rollout) ?? "")")
            #expect(rollout.string("status.stableVersion") == "1.0.0")
            try await waitUntil("shop-canary scaled to 0, shop-stable at 10", timeout: .seconds(30)) {
                let canary = try await s.replicas("shop-canary") ?? 0
                let stable = try await s.replicas("shop-stable")
                return canary == 0 && stable == 10
            }
            let events = try await s.warningEvents(about: "shop")
            #expect(!events.isEmpty, "a Warning Event about the rollback")
        }
    }
}
