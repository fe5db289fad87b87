/// A latency condition in the Argo style: every interval, the canary's p99 divided by stable's
/// (both by histogram_quantile interpolation) must be at most 1.2; the rollout aborts when
/// failed measurements exceed the failure limit of 3.
struct P99RatioJudge: Judge {
    static let maxRatio = 1.2
    static let failureLimit = 3
    private var failed = 0

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        if let c = HistogramQuantile.quantile(0.99, bins: interval.canary.bins),
           let s = HistogramQuantile.quantile(0.99, bins: interval.stable.bins), s > 0,
           c / s > Self.maxRatio {
            failed += 1
        }
        return failed > Self.failureLimit
    }

    func conclude() -> Conclusion { .promote }
}
