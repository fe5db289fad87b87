/// Flagger's built-in checks as usually configured: every interval the canary's success rate
/// must be at least 99% and its p99 at most 500 ms; the canary is rolled back when failed checks
/// reach the threshold of 5. An interval with no canary requests fails (Flagger treats a
/// missing value as a failure).
struct FlaggerJudge: Judge {
    static let minSuccessRate = 0.99
    static let maxP99 = 0.5
    static let threshold = 5
    private var failedChecks = 0

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        let canary = interval.canary
        var failed = true
        if canary.requests > 0, let p99 = HistogramQuantile.quantile(0.99, bins: canary.bins) {
            let success = 1 - Double(canary.errors) / Double(canary.requests)
            failed = success < Self.minSuccessRate || p99 > Self.maxP99
        }
        if failed { failedChecks += 1 }
        return failedChecks >= Self.threshold
    }

    func conclude() -> Conclusion { .promote }
}
