import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// `analysis.margin`, `analysis.beta` and the analysis windows the resolver hands the analysis library.
@Suite struct RolloutPromotionTests {
    @Test func defaultsAreTheLibrarysMarginsAndTheDefaultStepsSchedule() throws {
        let c = try resolved(validRollout()).analysis.configuration
        #expect(c.margin == PromotionMargin(errorRatio: 2, errorIncrease: 0.005, latencyRatio: 2))
        #expect(c.beta == nil)
        #expect(c.schedule == RolloutSchedule(intervalSeconds: 60, windows: [
            .init(canaryShare: 0.05, intervals: 10, maxIntervals: 30),
            .init(canaryShare: 0.25, intervals: 10, maxIntervals: 30),
            .init(canaryShare: 0.5, intervals: 15, maxIntervals: 45),
        ]))
        #expect(c.schedule == .defaultSteps)
    }

    @Test func marginAndBetaAreResolvedFromTheSpec() throws {
        let r = validRollout {
            $0.canary.analysis?.margin = MarginSpec(errorRatio: 1.5, errorPoints: 0.2, latencyRatio: 3)
            $0.canary.analysis?.beta = 0.05
        }
        let c = try resolved(r).analysis.configuration
        #expect(c.margin.errorRatio == 1.5)
        #expect(abs(c.margin.errorIncrease - 0.002) < 1e-12)
        #expect(c.margin.latencyRatio == 3)
        #expect(c.beta == 0.05)
    }

    @Test func theScheduleFollowsTheStepsAndTheInterval() throws {
        let r = validRollout {
            $0.canary.steps = [.weight(10), .analysis("5m"), .pause("1m"), .weight(40), .analysis("90s"), .weight(100), .analysis("5m")]
            $0.canary.analysis?.interval = "30s"
        }
        let schedule = try #require(try resolved(r).analysis.configuration.schedule)
        #expect(schedule.intervalSeconds == 30)
        // An analysis at 100% has no stable to compare with: no window.
        #expect(schedule.windows == [.init(canaryShare: 0.1, intervals: 10, maxIntervals: 30),
                                     .init(canaryShare: 0.4, intervals: 3, maxIntervals: 9)])
    }

    @Test func invalidMarginsAndBetaNameTheirFields() {
        let r = validRollout {
            $0.canary.analysis?.margin = MarginSpec(errorRatio: 1, errorPoints: -1, latencyRatio: 0.5)
            $0.canary.analysis?.beta = 0.9
        }
        #expect(errorFields(r) == [
            "spec.strategy.canary.analysis.margin.errorRatio", "spec.strategy.canary.analysis.margin.errorPoints",
            "spec.strategy.canary.analysis.margin.latencyRatio", "spec.strategy.canary.analysis.beta",
        ])
    }

    @Test func theFieldsDecodeFromYAML() throws {
        let spec = try jsonValue(yaml: """
            margin: {errorRatio: 3, errorPoints: 1, latencyRatio: 2.5}
            beta: 0.01
            """).decode(as: AnalysisSpec.self)
        #expect(spec.margin == MarginSpec(errorRatio: 3, errorPoints: 1, latencyRatio: 2.5))
        #expect(spec.beta == 0.01)
    }
}
