/// A typical Argo Rollouts analysis condition: every interval, the canary's error rate minus
/// stable's must be at most 0.1 percentage point; the rollout aborts when failed measurements
/// exceed the failure limit of 3. An interval without requests on a track is not a measurement.
struct ArgoJudge: Judge {
    static let maxDifference = 0.001
    static let failureLimit = 3
    private var failed = 0

    mutating func observe(_ interval: SimulatedInterval, minute: Int) -> Bool {
        let c = interval.canary, s = interval.stable
        if c.requests > 0, s.requests > 0 {
            let difference = Double(c.errors) / Double(c.requests) - Double(s.errors) / Double(s.requests)
            if difference > Self.maxDifference { failed += 1 }
        }
        return failed > Self.failureLimit
    }

    func conclude() -> Conclusion { .promote }
}
