import Foundation
import KubeJSON
import Testing

/// Missing data is never a pass: with an empty Prometheus, or with Prometheus down, nothing is promoted.
@Suite("E2E: analysis without data")
struct AnalysisDataTests {
    @Test("an empty Prometheus: no promotion; held with MetricsAvailable=False (NoSeries)")
    func emptyPrometheusPauses() async throws {
        let environment = try await E2EEnvironment.shared()
        let empty = try await PrometheusServer.startEmpty(name: "prometheus-empty-\(UUID().uuidString.prefix(5))",
                                                          logDirectory: environment.logDirectory)
        do {
            try await Scenario.run("empty") { s in
                var v1 = s.manifest("shop", version: "1.0.0")
                v1.prometheusAddress = empty.address
                v1.steps = [.weight(10), .analysis("6s"), .weight(100)]
                try await s.kubectl.apply(v1.text)
                try await s.waitForHealthy("shop", stableVersion: "1.0.0")

                var v2 = v1
                v2.version = "2.0.0"
                try await s.kubectl.apply(v2.text)
                let rollout = try await s.waitForRollout("shop", "Paused with MetricsAvailable=False", timeout: .seconds(120)) { r in
                    r.string("status.phase") == "Paused"
                        && Scenario.condition(r, "MetricsAvailable")?["status"]?.stringValue == "False"
                }
                #expect(Scenario.condition(rollout, "Paused")?["status"]?.stringValue == "True")
                #expect(Scenario.condition(rollout, "Paused")?["reason"]?.stringValue == "MetricsUnavailable")
                #expect(Scenario.condition(rollout, "MetricsAvailable")?["reason"]?.stringValue == "NoSeries")
                #expect(rollout.string("status.stableVersion") == "1.0.0")
                #expect(rollout.string("status.lastAnalysis.decision") != "promote", "\(Scenario.summary(rollout) ?? "")")
                let warnings = try await s.warningEvents(about: "shop").compactMap { $0["reason"]?.stringValue }
                #expect(warnings.contains("MetricsUnavailable"), "a Warning Event says so: \(warnings)")
                for check in rollout.at("status.lastAnalysis.checks")?.arrayValue ?? [] {
                    #expect(check["verdict"]?.stringValue != "pass", "no data is never a pass: \(check.jsonString)")
                    #expect(check["verdict"]?.stringValue != "fail", "no data is never a failure: \(check.jsonString)")
                }
                // It stays there: no promotion, no rollback, the canary keeps its 10%.
                try await holds("no promotion and no rollback", for: .seconds(6),
                                describe: { (try? await s.rollout("shop")).flatMap { Scenario.summary($0) } ?? "" }) {
                    let r = try await s.rollout("shop")
                    return r?.string("status.phase") == "Paused" && r?.string("status.stableVersion") == "1.0.0"
                        && r?.int("status.canaryWeight") == 10
                }
                #expect(try await s.replicas("shop-canary") == 1)
            }
        } catch {
            await empty.stop()
            throw error
        }
        await empty.stop()
    }

    @Test("Prometheus killed at the second analysis step: held visibly, no promotion during the outage, promoted on fresh data after")
    func prometheusDownAtTheSecondAnalysisStep() async throws {
        let environment = try await E2EEnvironment.shared()
        let own = try await PrometheusServer.start(name: "prometheus-down-\(UUID().uuidString.prefix(5))",
                                                   configFile: environment.scrapeConfig,
                                                   logDirectory: environment.logDirectory)
        do {
            try await Scenario.run("promdown") { s in
                var v1 = s.manifest("shop", version: "1.0.0")
                v1.prometheusAddress = own.address
                v1.steps = [.weight(10), .analysis("6s"), .weight(50), .analysis("8s"), .weight(100)]
                v1.onInconclusive = "extend"
                v1.maxExtensions = 20
                v1.missingDataRollbackAfter = "10m"
                try await s.kubectl.apply(v1.text)
                try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0", prometheus: own)

                var v2 = v1
                v2.version = "2.0.0"
                try await s.kubectl.apply(v2.text)
                // The second analysis step (index 3, at 50%) has judged an interval of its own.
                try await s.waitForRollout("shop", "an interval judged at the second analysis step", timeout: .seconds(150)) { r in
                    r.int("status.currentStepIndex") == 3 && r.int("status.lastAnalysis.stepIndex") == 3
                }
                await own.stop()
                let held = try await s.waitForRollout("shop", "held: Paused, MetricsAvailable=False", timeout: .seconds(90)) { r in
                    r.string("status.phase") == "Paused" && Scenario.condition(r, "MetricsAvailable")?["status"]?.stringValue == "False"
                }
                #expect(Scenario.condition(held, "MetricsAvailable")?["reason"]?.stringValue == "PrometheusUnreachable",
                        "\(Scenario.condition(held, "MetricsAvailable")?.jsonString ?? "-")")
                #expect(Scenario.condition(held, "Paused")?["reason"]?.stringValue == "MetricsUnavailable")
                #expect(held.int("status.currentStepIndex") == 3)
                try await holds("no promotion while Prometheus is down", for: .seconds(10),
                                describe: { (try? await s.rollout("shop")).flatMap { Scenario.summary($0) } ?? "" }) {
                    let r = try await s.rollout("shop")
                    return r?.string("status.stableVersion") == "1.0.0" && r?.int("status.currentStepIndex") == 3
                        && r?.int("status.canaryWeight") == 50
                }
                let outageWarnings = try await s.warningEvents(about: "shop").filter { $0["reason"]?.stringValue == "MetricsUnavailable" }
                #expect(outageWarnings.count == 1, "one Warning per outage: \(outageWarnings.map(\.jsonString))")
                try await own.start()
                let rollout = try await s.waitForHealthy("shop", stableVersion: "2.0.0", timeout: .seconds(150))
                #expect(rollout.string("status.lastAnalysis.decision") == "promote")
                let events = try await s.kubectl.getJSON(["events", "-n", s.namespace, "--field-selector", "involvedObject.name=shop"])
                let reasons = events?["items"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? []
                #expect(reasons.contains("MetricsRestored"), "a Normal Event when data returns: \(reasons)")
            }
        } catch {
            await own.stop()
            throw error
        }
        await own.stop()
    }
}
