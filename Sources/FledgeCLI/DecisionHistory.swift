import CanaryAnalysis
import Foundation
import Kube
import RolloutAPI

/// One past decision about a Rollout: an analysis decision the plugin saw in `status.lastAnalysis`, or an Event
/// the controller recorded (a passed analysis, a rollback, a promotion, an action).
public struct HistoryEntry: Sendable, Equatable {
    /// When: the analysis interval's end, or the Event's last timestamp (RFC 3339, as the API wrote it).
    public var time: String
    /// The Event's reason (`AnalysisPassed`, `RolledBack`, …), or `Analysis` for a decision seen in status.
    public var reason: String
    public var message: String
    /// A Warning Event, or a rollback decision.
    public var warning: Bool
    /// The analysis outcome, for decisions seen in status.
    public var outcome: Decision.Outcome?

    public init(time: String, reason: String, message: String, warning: Bool = false, outcome: Decision.Outcome? = nil) {
        self.time = time
        self.reason = reason
        self.message = message
        self.warning = warning
        self.outcome = outcome
    }

    /// The Event reasons that record a decision (others, such as `WeightSet`, are left out).
    public static let decisionReasons: Set<String> = [
        "CanaryStarted", "CanaryReplaced", "CanaryAbandoned", "AnalysisPassed", "AnalysisInconclusive", "AnalysisExtended",
        "RolledBack", "Aborted", "Promoted", "PromotedFull", "Retried", "ProgressDeadlineExceeded", "ActionIgnored",
    ]

    /// The entry for an Event about a decision; nil for other Events.
    public init?(event: Event) {
        guard let reason = event.reason, Self.decisionReasons.contains(reason) else { return nil }
        self.init(time: event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp ?? "",
                  reason: reason, message: event.message ?? "", warning: event.type == "Warning")
    }

    /// The entry for an analysis decision in status.
    public init(analysis: AnalysisRecord) {
        let d = analysis.decision
        self.init(time: analysis.time, reason: "Analysis",
                  message: "step \(analysis.stepIndex + 1), interval \(analysis.intervals): \(d.outcome.rawValue): \(d.summary)",
                  warning: d.outcome == .rollback, outcome: d.outcome)
    }

    /// The time as a date (RFC 3339 with or without fractional seconds).
    public var date: Date? { Self.parseTime(time) }

    static func parseTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// The recent decisions about one Rollout. The controller keeps only the latest analysis in status, so
/// `get --watch` keeps every one it observes, and adds the Events for those from before it started.
public struct DecisionHistory: Sendable, Equatable {
    public private(set) var entries: [HistoryEntry] = []

    public init(_ entries: [HistoryEntry] = []) {
        for entry in entries { add(entry) }
    }

    /// Adds an entry unless the same one is already there; keeps the entries in time order.
    public mutating func add(_ entry: HistoryEntry) {
        guard !entries.contains(entry) else { return }
        entries.append(entry)
        entries.sort { a, b in
            switch (a.date, b.date) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return true
            default: return false
            }
        }
    }

    /// Records the Rollout's latest analysis decision, if any.
    public mutating func observe(_ rollout: Rollout) {
        if let analysis = rollout.status?.lastAnalysis { add(HistoryEntry(analysis: analysis)) }
    }

    /// Records the decision Events among `events` that are about the Rollout.
    public mutating func observe(events: [Event], about rollout: Rollout) {
        for event in events where event.involvedObject.kind == "Rollout" && event.involvedObject.name == rollout.metadata.name {
            // An Event of an earlier Rollout of the same name does not belong to this one.
            if let uid = rollout.metadata.uid, let eventUID = event.involvedObject.uid, !eventUID.isEmpty, eventUID != uid { continue }
            if let entry = HistoryEntry(event: event) { add(entry) }
        }
    }

    /// The last `limit` entries, oldest first.
    public func recent(_ limit: Int) -> [HistoryEntry] { Array(entries.suffix(limit)) }
}
