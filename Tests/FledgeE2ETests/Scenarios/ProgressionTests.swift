import Foundation
import KubeJSON
import Testing

/// A new version walked through its steps against real telemetry: promoted when healthy, rolled back when its
/// errors or its latency tail regress.
@Suite("E2E: progression and analysis")
struct ProgressionTests {
    @Test("a good new version is promoted through every step")
    func goodUpdatePromotes() async throws {
        try await Scenario.run("good") { s in
            try await s.kubectl.apply(s.manifest("shop", version: "1.0.0").text)
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")

            try await s.kubectl.apply(s.manifest("shop", version: "2.0.0").text)
            let seen = try await s.follow("shop", "v2 promoted", timeout: .seconds(150)) { r in
                r.string("status.phase") == "Healthy" && r.string("status.stableVersion") == "2.0.0"
                    && r.int("status.observedGeneration") == r.int("metadata.generation")
            }
            // The weights set while the canary was in flight (the final Healthy status has weight 0 again).
            let weights = seen.filter { $0.string("status.phase") != "Healthy" }.compactMap { $0.int("status.canaryWeight") }
            #expect(weights.contains(10), "weights seen: \(weights)")
            #expect(weights.contains(50), "weights seen: \(weights)")
            #expect(weights == weights.sorted(), "the weight only goes up: \(weights)")
            #expect(seen.contains { $0.string("status.phase") == "Progressing" && $0.string("status.canaryVersion") == "2.0.0" })

            let rollout = try #require(seen.last)
            #expect(rollout.string("status.lastAnalysis.decision") == "promote", "\(Scenario.summary(rollout) ?? "")")
            #expect(Scenario.condition(rollout, "Completed")?["status"]?.stringValue == "True")
            for check in rollout.at("status.lastAnalysis.checks")?.arrayValue ?? [] {
                #expect(check["verdict"]?.stringValue == "pass", "check \(check.jsonString)")
            }
            // Real numbers from Prometheus on both tracks.
            let errorCheck = rollout.at("status.lastAnalysis.checks")?.arrayValue?.first { $0["metric"]?.stringValue == "errorRate" }
            #expect((errorCheck?.int("canary.requests") ?? 0) > 1000, "error-rate check: \(errorCheck?.jsonString ?? "none")")
            #expect((errorCheck?.int("stable.requests") ?? 0) > 1000)

            try await waitUntil("shop-canary scaled to 0 and shop-stable running 2.0.0 at 10", timeout: .seconds(60)) {
                let canary = try await s.replicas("shop-canary") ?? 0
                let stable = try await s.deployment("shop-stable")
                return canary == 0 && stable?.int("spec.replicas") == 10
                    && stable?.string("spec.template.spec.containers[0].image")?.hasSuffix(":2.0.0") == true
                    && stable?.at("spec.template.metadata.labels")?["app.kubernetes.io/version"]?.stringValue == "2.0.0"
            }
        }
    }

    @Test("an error-rate regression is rolled back")
    func errorRegressionRollsBack() async throws {
        try await Scenario.run("errors") { s in
            try await s.kubectl.apply(s.manifest("shop", version: "1.0.0").text)
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")
            var bad = s.manifest("shop", version: "2.0.0")
            bad.failing()
            try await s.kubectl.apply(bad.text)
            try await s.expectRolledBack("shop", stableVersion: "1.0.0", canaryVersion: "2.0.0", failingMetric: "errorRate")
        }
    }

    @Test("a latency-tail regression (5% of requests at 2 s) is rolled back")
    func latencyRegressionRollsBack() async throws {
        try await Scenario.run("latency") { s in
            try await s.kubectl.apply(s.manifest("shop", version: "1.0.0").text)
            try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0")
            var bad = s.manifest("shop", version: "2.0.0")
            bad.slowTail()
            try await s.kubectl.apply(bad.text)
            try await s.expectRolledBack("shop", stableVersion: "1.0.0", canaryVersion: "2.0.0", failingMetric: "latency")
        }
    }
}

extension Scenario {
    /// Polls the Rollout until `done`, returning every distinct status seen on the way (for "which weights did
    /// it pass through" assertions).
    func follow(_ name: String, _ what: String, timeout: Duration,
                until done: @escaping @Sendable (JSONValue) -> Bool) async throws -> [JSONValue] {
        let seen = SeenRollouts()
        let _: Bool = try await waitFor("rollout \(name): \(what)", timeout: timeout, interval: .milliseconds(250),
                                        describe: { await seen.last.map { Self.summary($0) ?? "" } ?? "nothing" }) {
            guard let rollout = try await self.rollout(name) else { return nil }
            await seen.add(rollout)
            return done(rollout) ? true : nil
        }
        return await seen.all
    }

    /// Waits for a rollback of `canaryVersion` and checks its aftermath: Degraded, stable unchanged, the canary at
    /// 0 replicas, a failed check of `failingMetric` in `lastAnalysis` named in the message, and a Warning Event.
    func expectRolledBack(_ name: String, stableVersion: String, canaryVersion: String, failingMetric: String,
                          timeout: Duration = .seconds(120)) async throws {
        let rollout = try await waitForRollout(name, "rolled back (Degraded)", timeout: timeout) { r in
            r.string("status.phase") == "Degraded" && r.int("status.observedGeneration") == r.int("metadata.generation")
        }
        #expect(rollout.string("status.stableVersion") == stableVersion)
        #expect(rollout.string("status.lastAnalysis.decision") == "rollback", "\(Self.summary(rollout) ?? "")")
        let failed = (rollout.at("status.lastAnalysis.checks")?.arrayValue ?? []).filter { $0["verdict"]?.stringValue == "fail" }
        #expect(failed.contains { $0["metric"]?.stringValue == failingMetric },
                "failed checks: \(failed.map(\.jsonString)), expected one of metric \(failingMetric)")
        // The canary fails more than stable, in numbers.
        if let check = failed.first(where: { $0["metric"]?.stringValue == failingMetric }) {
            #expect((check.double("canary.rate") ?? 0) > (check.double("stable.rate") ?? 1), "\(check.jsonString)")
        }
        // Someone reading `kubectl get rollout -o yaml` or `describe` learns which check failed.
        let texts = [rollout.string("status.message") ?? ""]
            + (rollout.at("status.conditions")?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
        let names = failed.compactMap { $0["name"]?.stringValue }
        #expect(names.contains { name in texts.contains { $0.contains(name) } },
                "no message names a failing check \(names): \(texts)")
        #expect(Self.condition(rollout, "Completed")?["status"]?.stringValue != "True")

        let events = try await waitFor("a Warning Event about \(name)", timeout: .seconds(30)) {
            let events = try await self.warningEvents(about: name)
            return events.isEmpty ? nil : events
        }
        #expect(events.contains { event in names.contains { (event["message"]?.stringValue ?? "").contains($0) } }
                    || events.contains { ($0["message"]?.stringValue ?? "").lowercased().contains("roll") },
                "events: \(events.map { $0["reason"]?.stringValue ?? "" + ": " + ($0["message"]?.stringValue ?? "") })")

        try await waitUntil("\(name)-canary scaled to 0, \(name)-stable still \(stableVersion)", timeout: .seconds(60)) {
            let canary = try await self.replicas("\(name)-canary") ?? 0
            let stable = try await self.deployment("\(name)-stable")
            return canary == 0 && stable?.string("spec.template.spec.containers[0].image")?.hasSuffix(":\(stableVersion)") == true
        }
        #expect(try await replicas("\(name)-stable") == 10)
        // Still Degraded once the dust settles (no second attempt on its own).
        try await Task.sleep(for: .seconds(2))
        let after = try #require(try await self.rollout(name))
        #expect(after.string("status.phase") == "Degraded")
        #expect(after.string("status.stableVersion") == stableVersion)
    }
}

/// The statuses a poll loop saw, deduplicated.
actor SeenRollouts {
    private(set) var all: [JSONValue] = []
    var last: JSONValue? { all.last }

    func add(_ rollout: JSONValue) {
        let status = rollout["status"]
        if all.last?["status"] != status { all.append(rollout) }
    }
}
