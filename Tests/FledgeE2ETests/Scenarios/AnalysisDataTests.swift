import Foundation
import KubeJSON
import Testing

/// Missing data is never a pass: with an empty Prometheus, or with Prometheus down, nothing is promoted.
@Suite("E2E: analysis without data")
struct AnalysisDataTests {
    @Test("an empty Prometheus: no promotion, the inconclusive policy (pause) applies")
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
                let rollout = try await s.waitForRollout("shop", "Paused with reason AnalysisInconclusive", timeout: .seconds(120)) { r in
                    r.string("status.phase") == "Paused"
                        && Scenario.condition(r, "Paused")?["reason"]?.stringValue == "AnalysisInconclusive"
                }
                #expect(Scenario.condition(rollout, "Paused")?["status"]?.stringValue == "True")
                #expect(rollout.string("status.stableVersion") == "1.0.0")
                #expect(rollout.string("status.lastAnalysis.decision") == "inconclusive", "\(Scenario.summary(rollout) ?? "")")
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

    @Test("Prometheus down mid-step: no promotion while it is down, the rollout goes on when it is back")
    func prometheusDownMidStep() async throws {
        let environment = try await E2EEnvironment.shared()
        let own = try await PrometheusServer.start(name: "prometheus-down-\(UUID().uuidString.prefix(5))",
                                                   configFile: environment.scrapeConfig,
                                                   logDirectory: environment.logDirectory)
        do {
            try await Scenario.run("promdown") { s in
                var v1 = s.manifest("shop", version: "1.0.0")
                v1.prometheusAddress = own.address
                v1.steps = [.weight(10), .analysis("14s"), .weight(100)]
                // A window that ends while Prometheus is down is extended rather than paused.
                v1.onInconclusive = "extend"
                v1.maxExtensions = 20
                try await s.kubectl.apply(v1.text)
                try await s.waitForHealthyWithBaseline("shop", stableVersion: "1.0.0", prometheus: own)

                var v2 = v1
                v2.version = "2.0.0"
                try await s.kubectl.apply(v2.text)
                // The analysis has started: a first verdict about 2.0.0, not a conclusion yet.
                try await s.waitForRollout("shop", "a first analysis verdict about 2.0.0", timeout: .seconds(90)) { r in
                    r.string("status.lastAnalysis.canaryVersion") == "2.0.0"
                        && r.string("status.lastAnalysis.decision") == "continue"
                }
                await own.stop()
                try await holds("no promotion and no rollback while Prometheus is down", for: .seconds(16),
                                describe: { (try? await s.rollout("shop")).flatMap { Scenario.summary($0) } ?? "" }) {
                    let r = try await s.rollout("shop")
                    return r?.string("status.stableVersion") == "1.0.0" && r?.string("status.phase") != "Degraded"
                        && r?.string("status.phase") != "Healthy" && r?.int("status.canaryWeight") == 10
                }
                try await own.start()
                let rollout = try await s.waitForHealthy("shop", stableVersion: "2.0.0", timeout: .seconds(120))
                #expect(rollout.string("status.lastAnalysis.decision") == "promote")
            }
        } catch {
            await own.stop()
            throw error
        }
        await own.stop()
    }
}
