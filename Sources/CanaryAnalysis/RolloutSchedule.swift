/// The analysis windows of a rollout, in order: what the plan needs to know which tests can reach a promotion
/// decision at the service's traffic, and from which canary weight on (``PromotionFeasibility``).
public struct RolloutSchedule: Codable, Sendable, Equatable {
    /// One analysis step: the canary's share of traffic and its window in intervals.
    public struct Window: Codable, Sendable, Equatable {
        /// The canary's share of requests (0.05 for weight 5).
        public var canaryShare: Double
        /// The window's length in intervals.
        public var intervals: Int
        /// The longest the controller lets the window run by extending it itself (3 × `intervals`).
        public var maxIntervals: Int

        public init(canaryShare: Double, intervals: Int, maxIntervals: Int? = nil) {
            self.canaryShare = canaryShare
            self.intervals = intervals
            self.maxIntervals = maxIntervals ?? intervals * RolloutSchedule.extensionFactor
        }
    }

    /// Seconds per analysis interval (for the reasons shown: "needs ≈ 9 h").
    public var intervalSeconds: Double
    public var windows: [Window]

    /// How many times its window a step may run when the bound is on course (the controller's rule).
    public static let extensionFactor = 3

    public init(intervalSeconds: Double, windows: [Window]) {
        self.intervalSeconds = intervalSeconds
        self.windows = windows
    }

    /// The schedule of Fledge's default steps (5% for 10 minutes, 25% for 10, 50% for 15) at one-minute intervals.
    public static let defaultSteps = RolloutSchedule(intervalSeconds: 60, windows: [
        Window(canaryShare: 0.05, intervals: 10), Window(canaryShare: 0.25, intervals: 10),
        Window(canaryShare: 0.5, intervals: 15),
    ])

    func problems() -> [String] {
        var out: [String] = []
        if !(intervalSeconds > 0) { out.append("schedule.intervalSeconds must be positive, got \(intervalSeconds)") }
        for (i, w) in windows.enumerated() {
            if !(w.canaryShare > 0 && w.canaryShare < 1) {
                out.append("schedule.windows[\(i)].canaryShare must be between 0 and 1 (exclusive), got \(w.canaryShare)")
            }
            if w.intervals < 1 { out.append("schedule.windows[\(i)].intervals must be at least 1, got \(w.intervals)") }
            if w.maxIntervals < w.intervals {
                out.append("schedule.windows[\(i)].maxIntervals (\(w.maxIntervals)) is below intervals (\(w.intervals))")
            }
        }
        return out
    }
}
