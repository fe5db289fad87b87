/// What one analysis step (one window at one weight) has gathered of its own.
///
/// Rollback evidence and the α budget accumulate over every interval of a canary version, across steps. Promotion
/// does not carry over: a step may promote only on data it added itself at its own weight, so a window that saw
/// nothing new (a metrics outage, say) can never promote on what earlier steps showed. ``StepEvidenceRule`` says
/// how much is enough.
public struct StepTally: Codable, Sendable, Equatable {
    /// Intervals observed in this window, with or without data.
    public var intervals = 0
    /// Intervals of this window that had data on both tracks.
    public var dataIntervals = 0
    /// Canary requests counted in this window's intervals with data.
    public var canaryRequests = 0
    /// Intervals without data in a row, up to now (0 after an interval with data).
    public var consecutiveMissing = 0

    public init(intervals: Int = 0, dataIntervals: Int = 0, canaryRequests: Int = 0, consecutiveMissing: Int = 0) {
        self.intervals = intervals
        self.dataIntervals = dataIntervals
        self.canaryRequests = canaryRequests
        self.consecutiveMissing = consecutiveMissing
    }

    /// Adds one interval: `canaryRequests` nil means the interval had no data.
    public mutating func add(canaryRequests requests: Int?) {
        intervals += 1
        if let requests {
            dataIntervals += 1
            canaryRequests += requests
            consecutiveMissing = 0
        } else {
            consecutiveMissing += 1
        }
    }
}

/// The fresh data a step must add before it may promote: at least half of its window's intervals with data (at
/// least one) and at least `minCanaryRequests` canary requests of its own.
///
/// Why half: an interval with no data does not use up the window (the window waits for intervals with data), so
/// this only bites when the window is cut short by an action or an extension ends it; it keeps a step from promoting
/// on one lucky interval. Why 50 requests: below that even the guardrail (20% of 50) cannot speak for the step.
public struct StepEvidenceRule: Codable, Sendable, Equatable {
    public var minCanaryRequests: Int

    public init(minCanaryRequests: Int = 50) {
        self.minCanaryRequests = minCanaryRequests
    }

    /// Intervals with data a window of `windowIntervals` must hold.
    public func minDataIntervals(windowIntervals: Int) -> Int {
        max(1, (windowIntervals + 1) / 2)
    }

    /// What the step still lacks, or nil when it has earned the right to promote.
    public func shortfall(_ tally: StepTally, windowIntervals: Int) -> StepShortfall? {
        let needed = minDataIntervals(windowIntervals: windowIntervals)
        guard tally.dataIntervals < needed || tally.canaryRequests < minCanaryRequests else { return nil }
        return StepShortfall(dataIntervals: tally.dataIntervals, neededIntervals: needed,
                             canaryRequests: tally.canaryRequests, neededRequests: minCanaryRequests)
    }
}

/// Why a step may not promote yet: its own data so far against what it needs.
public struct StepShortfall: Sendable, Equatable, CustomStringConvertible {
    public var dataIntervals: Int
    public var neededIntervals: Int
    public var canaryRequests: Int
    public var neededRequests: Int

    public var description: String {
        "this step has \(dataIntervals) of \(neededIntervals) intervals with data and \(canaryRequests) of \(neededRequests) canary requests of its own"
    }
}
