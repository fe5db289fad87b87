import Foundation

/// Which tests can reach a promotion decision at the service's traffic, and from which canary weight on: decided
/// when the plan is fixed, from stable's baseline and the rollout's schedule, before any canary data is seen.
///
/// For a canary exactly as good as stable, each interval of a window at canary share `w` adds to the
/// non-inferiority evidence a log likelihood ratio with a known mean and variance (events as Poisson counts at
/// stable's baseline rate and the baseline's requests per interval). Evidence accumulates across windows. A test
/// *gates promotion* from the first window at whose default end a healthy canary's evidence is expected to have
/// settled in most runs (mean − `z`·sd above the threshold, for one alternative of the mixture). A test that would
/// not settle by the last window's default end gates rollback only, and the reason says how long it would need
/// ("needs ≈ 9 h at this traffic") — except a service-level test (`extensible`) that would settle by the last
/// window's *extended* end: it gates the last step, which then extends itself rather than promote without evidence
/// on the service's error rate or latency tail. Per-route tests are not planned to extend: they localise a
/// regression, the rollback test does that at any traffic, and with ten routes the smallest sees a thirtieth of the
/// traffic, so planning for them would extend most rollouts.
///
/// Why per weight: at 20 requests/s a 5% canary sees a p99 event every four minutes; no data can show in ten
/// minutes that it is not twice as slow in the tail. At 50% it can. Gating the 5% step on it would hold every
/// rollout for a person; never gating on it would give up the question at the steps that can answer it.
public struct PromotionFeasibility: Sendable {
    /// How many standard deviations below the expected evidence must still settle (1.64: about 19 runs in 20).
    public static let z = 1.64

    /// Where a test stands.
    public enum Gate: Sendable, Equatable {
        /// Gates promotion at every step (no schedule or no baseline traffic rate to judge from).
        case always
        /// Gates promotion of the steps at this canary share and above.
        case fromShare(Double)
        /// Gates rollback only, with the reason.
        case rollbackOnly(String)
    }

    public var schedule: RolloutSchedule
    /// The test's stable requests per interval in the baseline.
    public var requestsPerInterval: Double
    /// Stable's event rate for the test in the baseline.
    public var baselineRate: Double
    /// `log(1/β)`: the evidence the test's bound needs.
    public var logThreshold: Double

    /// Whether the last window's self-extension may be planned for (service-level tests, see the type's comment).
    public var extensible: Bool

    public init(schedule: RolloutSchedule, requestsPerInterval: Double, baselineRate: Double, logThreshold: Double,
                extensible: Bool = true) {
        self.schedule = schedule
        self.extensible = extensible
        self.requestsPerInterval = requestsPerInterval
        self.baselineRate = baselineRate
        self.logThreshold = logThreshold
    }

    /// The gate of a test with this non-inferiority test.
    public func gate(for test: NonInferiorityTest) -> Gate {
        guard let last = schedule.windows.last else { return .always }
        guard requestsPerInterval > 0, baselineRate > 0 else {
            return .rollbackOnly("stable had no \(requestsPerInterval > 0 ? "events" : "requests") in the baseline to compare with")
        }
        var mean = [Double](repeating: 0, count: test.alternatives.count)
        var variance = mean
        func add(_ share: Double, intervals: Int) {
            let d = test.drift(canaryRequests: requestsPerInterval * share, stableRequests: requestsPerInterval * (1 - share),
                               rate: baselineRate, ratio: 1)
            for i in d.indices {
                mean[i] += d[i].mean * Double(intervals)
                variance[i] += d[i].variance * Double(intervals)
            }
        }
        func settles() -> Bool {
            mean.indices.contains { test.logWeights[$0] + mean[$0] - Self.z * variance[$0].squareRoot() >= logThreshold }
        }
        for window in schedule.windows {
            add(window.canaryShare, intervals: window.intervals)
            if settles() { return .fromShare(window.canaryShare) }
        }
        if extensible {
            add(last.canaryShare, intervals: last.maxIntervals - last.intervals)
            if settles() { return .fromShare(last.canaryShare) }
            add(last.canaryShare, intervals: last.intervals - last.maxIntervals)
        }
        // How long it would take at the last window's share: the default windows, then as long as needed.
        var total = schedule.windows.reduce(0) { $0 + $1.intervals }
        var step = max(1, total / 4)
        while !settles() && total < 10_000_000 {
            add(last.canaryShare, intervals: step)
            total += step
            step = max(step + 1, step * 5 / 4)
        }
        let needs = settles() ? "needs ≈ \(Self.duration(Double(total) * schedule.intervalSeconds))" : "cannot settle"
        return .rollbackOnly("\(needs) at this traffic (\(AnalysisFormat.number(requestsPerInterval)) requests per interval, "
            + "\(AnalysisFormat.percent(baselineRate)) events); gates rollback only")
    }

    /// `40 min`, `9 h`, `3 d`: rounded, for reasons.
    static func duration(_ seconds: Double) -> String {
        let minutes = seconds / 60
        if minutes < 90 { return "\(Int(minutes.rounded(.up))) min" }
        let hours = minutes / 60
        if hours < 48 { return "\(Int(hours.rounded())) h" }
        return "\(Int((hours / 24).rounded())) d"
    }
}
