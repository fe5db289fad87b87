import CanaryAnalysis

/// One line of a replay file: one interval's counts, before the canary (`baseline`) or during it.
/// See docs/replay-format.md.
public struct ReplayLine: Sendable, Equatable {
    /// Whether the line is stable's traffic before the canary or an interval of the canary.
    public enum Phase: String, Sendable, Equatable {
        case baseline
        case canary
    }

    /// The 1-based line number in the file.
    public var lineNumber: Int
    /// The interval number as written in the file (echoed in the output).
    public var interval: Int
    public var phase: Phase
    /// Stable's counts.
    public var stable: TrackCounts
    /// The canary's counts; nil on baseline lines.
    public var canary: TrackCounts?
    /// Per-route counts; a route's canary counts are nil on baseline lines.
    public var routes: [String: RouteLine]

    /// One route's counts on a line.
    public struct RouteLine: Sendable, Equatable {
        public var stable: TrackCounts
        public var canary: TrackCounts?

        public init(stable: TrackCounts, canary: TrackCounts? = nil) {
            self.stable = stable
            self.canary = canary
        }
    }

    public init(lineNumber: Int, interval: Int, phase: Phase, stable: TrackCounts, canary: TrackCounts? = nil,
                routes: [String: RouteLine] = [:]) {
        self.lineNumber = lineNumber
        self.interval = interval
        self.phase = phase
        self.stable = stable
        self.canary = canary
        self.routes = routes
    }

    /// The line as the analyzer's sample (canary lines only; missing canary counts are zero).
    public var sample: TrafficSample {
        TrafficSample(
            stable: stable, canary: canary ?? .zero,
            routes: routes.mapValues { RouteCounts(stable: $0.stable, canary: $0.canary ?? .zero) })
    }
}
