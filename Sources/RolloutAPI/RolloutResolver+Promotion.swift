import CanaryAnalysis

/// The promotion part of `spec.strategy.canary.analysis`: the margin, β, and the schedule of analysis windows the
/// analysis needs to know which tests can gate promotion at which weight.
extension RolloutResolver {
    /// How many times its window a step may extend itself while the bound is on course (the controller's rule).
    public static let selfExtensionFactor = RolloutSchedule.extensionFactor

    static func resolvePromotion(_ a: AnalysisSpec, steps: [EffectiveStep], interval: Duration,
                                 into configuration: inout AnalysisConfiguration, under af: String, _ errors: inout [FieldError]) {
        let defaults = PromotionMargin()
        let m = a.margin ?? MarginSpec()
        let errorRatio = m.errorRatio ?? defaults.errorRatio
        let errorPoints = m.errorPoints ?? defaults.errorIncrease * 100
        let latencyRatio = m.latencyRatio ?? defaults.latencyRatio
        if !(errorRatio > 1 && errorRatio <= PromotionMargin.largestRatio) {
            errors.append(FieldError("\(af).margin.errorRatio", "must be more than 1 and at most 1000 (canary ÷ stable), got \(errorRatio)"))
        }
        if !(errorPoints >= 0 && errorPoints < 100) {
            errors.append(FieldError("\(af).margin.errorPoints", "must be at least 0 and below 100 (percentage points), got \(errorPoints)"))
        }
        if !(latencyRatio > 1 && latencyRatio <= PromotionMargin.largestRatio) {
            errors.append(FieldError("\(af).margin.latencyRatio", "must be more than 1 and at most 1000 (canary ÷ stable), got \(latencyRatio)"))
        }
        configuration.margin = PromotionMargin(errorRatio: errorRatio, errorIncrease: errorPoints / 100, latencyRatio: latencyRatio)
        if let beta = a.beta {
            if beta > 0 && beta <= maxAlpha {
                configuration.beta = beta
            } else {
                errors.append(FieldError("\(af).beta", "must be more than 0 and at most \(maxAlpha) (it is the chance of promoting a canary worse than the margin), got \(beta)"))
            }
        }
        configuration.schedule = schedule(steps, interval: interval)
    }

    /// The intervals an analysis window of `window` runs: its length over the interval, rounded, at least one.
    /// The one count the controller runs and the plan is made for.
    public static func intervals(in window: Duration, interval: Duration) -> Int {
        max(1, Int((window.seconds / interval.seconds).rounded()))
    }

    /// The analysis windows of the steps: each `analysis` step at the weight set before it, its duration in
    /// intervals (``intervals(in:interval:)``), extensible to ``selfExtensionFactor`` times. Nil when no step analyses.
    public static func schedule(_ steps: [EffectiveStep], interval: Duration) -> RolloutSchedule? {
        let seconds = interval.seconds
        guard seconds > 0 else { return nil }
        var weight = 0
        var windows: [RolloutSchedule.Window] = []
        for step in steps {
            switch step {
            case .setWeight(let w): weight = w
            case .pause: break
            case .analysis(let d):
                guard weight > 0 && weight < 100 else { continue }
                let intervals = intervals(in: d, interval: interval)
                windows.append(RolloutSchedule.Window(canaryShare: Double(weight) / 100, intervals: intervals,
                                                      maxIntervals: intervals * selfExtensionFactor))
            }
        }
        return windows.isEmpty ? nil : RolloutSchedule(intervalSeconds: seconds, windows: windows)
    }
}
