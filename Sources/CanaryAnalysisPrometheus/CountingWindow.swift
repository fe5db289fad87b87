import Foundation

/// The times, in milliseconds since 1970, that one interval `(start, end]` is counted over: its two
/// ends, how close to each end a sample must be to stand for the counters' value there
/// (`toleranceMs`), and how far before the start the series are read to tell a new series from one
/// with a gap (`historyMs`, never counted from).
struct CountingWindow: Sendable, Equatable {
    var startMs: Int64
    var endMs: Int64
    var toleranceMs: Int64
    var historyMs: Int64

    /// `historyMs` is raised to `2 × toleranceMs`, the least that shows whether a track was scraped
    /// steadily up to the start (``TrackCoverage``).
    init(startMs: Int64, endMs: Int64, toleranceMs: Int64, historyMs: Int64) {
        self.startMs = startMs
        self.endMs = endMs
        self.toleranceMs = toleranceMs
        self.historyMs = max(historyMs, 2 * toleranceMs)
    }

    /// The window of `configuration` for the interval `(startMs, endMs]`.
    init(startMs: Int64, endMs: Int64, configuration: PrometheusConfiguration) {
        self.init(startMs: startMs, endMs: endMs, toleranceMs: Self.milliseconds(configuration.endTolerance),
                  historyMs: Self.milliseconds(configuration.seriesHistory))
    }

    /// The length of the range selector, evaluated at the end, that reads the series: back to
    /// `start − history`.
    var rangeMs: Int64 { endMs - startMs + historyMs }

    /// The length of the range selector, evaluated at the end, that reaches back to `start − tolerance`:
    /// every sample that can stand for a value at either end.
    var endsRangeMs: Int64 { endMs - startMs + toleranceMs }

    /// Whether a sample at `ms` can stand for the value at the start: in `[start − tolerance, start]`.
    func isNearStart(_ ms: Int64) -> Bool { ms <= startMs && ms >= startMs - toleranceMs }

    /// Whether a sample at `ms` can stand for the value at the end: in `[end − tolerance, end]`.
    func isNearEnd(_ ms: Int64) -> Bool { ms <= endMs && ms >= endMs - toleranceMs }

    /// Whether a sample at `ms` is inside the interval: in `(start, end]`.
    func isInside(_ ms: Int64) -> Bool { ms > startMs && ms <= endMs }

    /// The tolerance as text, e.g. "65s" or "7.5s".
    var toleranceText: String { Self.seconds(toleranceMs) }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Milliseconds as seconds, without a fraction when it is whole: "65s", "0.25s".
    static func seconds(_ ms: Int64) -> String {
        ms % 1000 == 0 ? "\(ms / 1000)s" : "\(Double(ms) / 1000)s"
    }

    /// An instant as ISO 8601 text, with milliseconds only when there are some: "2024-05-01T12:00:05Z",
    /// "2024-05-01T12:00:05.250Z".
    static func iso(_ ms: Int64) -> String {
        let whole = ms - ((ms % 1000) + 1000) % 1000
        let text = Date(timeIntervalSince1970: Double(whole) / 1000).formatted(.iso8601)
        let fraction = ms - whole
        guard fraction != 0, text.hasSuffix("Z") else { return text }
        return text.dropLast() + "." + String(String(fraction + 1000).dropFirst()) + "Z"
    }
}
