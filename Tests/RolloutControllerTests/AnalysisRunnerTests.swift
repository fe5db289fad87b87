import CanaryAnalysis
import Foundation
import RolloutAPI
import RolloutController
import Testing

/// The runner between the two planner calls: metrics in, the analysis library's result out. No data is never a pass.
@Suite struct AnalysisRunnerTests {
    struct NoRoute: Error, CustomStringConvertible {
        var description: String { "no route to Prometheus" }
    }

    struct Unreachable: AnalysisMetricsSource {
        func metrics(for analysis: EffectiveAnalysis) throws -> any AnalysisMetrics { throw NoRoute() }
        func shutdown() async {}
    }

    func canaryRollout(state: AnalysisState? = nil) -> Rollout {
        var status = RolloutStatus(stableVersion: "1.0.0")
        if let state {
            status.canary = CanaryProgress(analysis: AnalysisProgress(templateHash: hash("2.0.0"), state: state))
        }
        return makeRollout(tag: "2.0.0", steps: [.weight(50), .analysis("1m")], status: status)
    }

    @Test func startFixesThePlanFromTheBaselineAndObserveAddsEvidence() async throws {
        let source = ScriptedMetricsSource(samples: [Traffic.good])
        let runner = AnalysisRunner(source: source, logger: quietLogger)
        let rollout = canaryRollout()
        let e = try effective(rollout)
        let started = await runner.run(.start(baselineFrom: at(-600), to: at(0)), rollout: rollout, effective: e)
        #expect(!started.observedInterval)
        #expect(started.end == at(0))
        #expect(started.state.intervals == 0)
        #expect(started.state.plan.tests.map(\.metric).contains(.latency), "the baseline's histogram fixes latency thresholds")
        #expect(source.baselineFetches == 1)

        let observed = await runner.run(.observe(start: at(0), end: at(60), final: true), rollout: canaryRollout(state: started.state), effective: e)
        #expect(observed.observedInterval)
        #expect(observed.end == at(60))
        #expect(observed.state.intervals == 1)
        #expect(observed.decision.outcome == .promote)
        let request = try #require(source.provider.requests.first)
        #expect(request.start == at(0) && request.end == at(60))
        #expect(request.target.canaryVersion == "2.0.0")
        #expect(request.target.stableVersion == "1.0.0")
        #expect(request.target.service == "shop")
        #expect(request.target.namespace == Fixture.namespace)
    }

    @Test func unreachableMetricsAreNoDataNeverAPass() async throws {
        let runner = AnalysisRunner(source: Unreachable(), logger: quietLogger)
        let rollout = canaryRollout()
        let e = try effective(rollout)
        let started = await runner.run(.start(baselineFrom: at(-600), to: at(0)), rollout: rollout, effective: e)
        #expect(started.decision.summary.contains("no route to Prometheus"))
        let middle = await runner.run(.observe(start: at(0), end: at(60), final: false), rollout: canaryRollout(state: started.state), effective: e)
        #expect(middle.decision.outcome == .continue)
        #expect(middle.state.intervals == 1)
        let last = await runner.run(.observe(start: at(60), end: at(120), final: true), rollout: canaryRollout(state: middle.state), effective: e)
        #expect(last.decision.outcome == .continue, "an interval without data is never the window's conclusion")
        #expect(last.canaryRequests == nil)
        #expect(last.missingReason?.contains("no route to Prometheus") == true)
    }

    @Test func aBadIntervalRollsBackBeforeTheWindowEnds() async throws {
        let source = ScriptedMetricsSource(samples: [Traffic.bad])
        let runner = AnalysisRunner(source: source, logger: quietLogger)
        let rollout = canaryRollout()
        let e = try effective(rollout)
        let started = await runner.run(.start(baselineFrom: at(-600), to: at(0)), rollout: rollout, effective: e)
        let result = await runner.run(.observe(start: at(0), end: at(60), final: false), rollout: canaryRollout(state: started.state), effective: e)
        #expect(result.decision.outcome == .rollback)
        #expect(result.decision.failedChecks.map(\.name) == ["error rate"])
    }
}
