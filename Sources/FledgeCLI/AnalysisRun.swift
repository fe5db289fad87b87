import CanaryAnalysis

/// What an analysis (replay or live) produced: every canary interval's decision and the verdict.
public struct AnalysisRun: Sendable, Equatable {
    /// The decision after one canary interval.
    public struct Step: Sendable, Equatable {
        /// The interval's number: echoed from a replay file, counted from 1 live.
        public var interval: Int
        public var decision: Decision
    }

    /// One decision per canary interval observed, in order; the last is a rollback if the run stopped early.
    public var steps: [Step]
    /// The verdict: the rollback that stopped the run, or the window's conclusion (promote or inconclusive).
    public var verdict: Decision
    /// True when the verdict concludes the window; false when the run stopped at a rollback.
    public var isFinal: Bool
    /// The interval the verdict came after.
    public var interval: Int
}
