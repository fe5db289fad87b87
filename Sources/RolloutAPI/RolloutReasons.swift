/// Why a canary was stopped: `status.canary.aborted.reason`, the Progressing condition's reason and the Event's.
public enum StopReason: String, Sendable, CaseIterable {
    /// A check found the canary worse than stable.
    case analysisFailed = "AnalysisFailed"
    /// The user aborted it (`abort:<id>`).
    case aborted = "Aborted"
    /// Its pods were not available within `progressDeadlineSeconds`.
    case progressDeadlineExceeded = "ProgressDeadlineExceeded"
    /// A window ended inconclusive under `onInconclusive: rollback`.
    case analysisInconclusive = "AnalysisInconclusive"
    /// Its analysis had no data for longer than the limit: a canary never keeps its traffic blind.
    case metricsUnavailable = "MetricsUnavailable"
    /// The spec turned invalid mid-canary and was not fixed within the progress deadline.
    case invalidSpec = "InvalidSpec"

    /// The Event's reason: `Aborted` for the user's abort, `RolledBack` for every other stop.
    public var eventReason: String { self == .aborted ? "Aborted" : "RolledBack" }
}

/// Why a canary is held at its step until something changes (`status.canary.hold`, the Paused condition's reason).
public enum HoldReason: String, Sendable, CaseIterable {
    /// The window ended without the evidence to promote (`onInconclusive: pause`): promote, reanalyze or abort.
    case analysisInconclusive = "AnalysisInconclusive"
    /// Another writer keeps setting the route's weights back: make it ignore them, then reanalyze.
    case routeContested = "RouteContested"
}

/// Why an analysis interval had no data: the MetricsAvailable condition's reason.
public enum MissingDataCause: String, Sendable, CaseIterable {
    /// Prometheus could not be reached (connection refused, timed out, DNS).
    case prometheusUnreachable = "PrometheusUnreachable"
    /// Prometheus answered with an error to a query.
    case queryFailed = "QueryFailed"
    /// The queries returned no series (or no sample) for a track in the interval.
    case noSeries = "NoSeries"
    /// Anything else: the message says what.
    case noData = "NoData"

    /// Classifies a provider's "no data" message. The one place such text is read.
    public static func classify(_ message: String) -> MissingDataCause {
        let m = message.lowercased()
        if ["unreachable", "did not answer", "connection", "connect ", "refused", "timed out", "timeout", "resolve", "dns"].contains(where: m.contains) {
            return .prometheusUnreachable
        }
        if m.contains("no series") || m.contains("no sample") || m.contains("no requests") { return .noSeries }
        if m.contains("query") || m.contains("status ") || m.contains("bad_data") || m.contains("http ") { return .queryFailed }
        return .noData
    }
}
