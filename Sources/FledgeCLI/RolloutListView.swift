import Foundation
import RolloutAPI

/// `kubectl fledge list rollouts`: one line per Rollout, like `kubectl get` (a pure function of the Rollouts and
/// the time, for the ages).
public struct RolloutListView: Sendable {
    public var rollouts: [Rollout]
    /// Adds a NAMESPACE column (`-A`).
    public var showNamespace: Bool
    public var now: Date
    /// The terminal's width: the middle columns are cut to fit it (nil: not a terminal, nothing is cut).
    public var width: Int?

    public init(rollouts: [Rollout], showNamespace: Bool, now: Date, width: Int? = nil) {
        self.rollouts = rollouts
        self.showNamespace = showNamespace
        self.now = now
        self.width = width
    }

    public func lines() -> [String] {
        var header = ["NAME", "PHASE", "STEP", "WEIGHT", "STABLE", "CANARY", "AGE"]
        if showNamespace { header.insert("NAMESPACE", at: 0) }
        let sorted = rollouts.sorted {
            ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "")
        }
        let rows = sorted.map { r -> [String] in
            let s = r.status
            let stepCount = RolloutView.effectiveSteps(of: r)?.count
            let step: String
            if s?.canaryTemplateHash != nil, let i = s?.currentStepIndex, let n = stepCount {
                step = "\(min(i + 1, n))/\(n)"
            } else {
                step = "-"
            }
            let weight = "\(s?.canaryWeight.map(String.init) ?? "-")/\(s?.actualCanaryWeight.map { RolloutView.percent($0).dropLast() }.map(String.init) ?? "-")"
            var row = [r.metadata.name ?? "", s?.phase?.rawValue ?? "-", step, weight,
                       s?.stableVersion ?? "-", s?.canaryVersion ?? "-", Self.age(since: r.metadata.creationTimestamp, now: now)]
            if showNamespace { row.insert(r.metadata.namespace ?? "", at: 0) }
            return row
        }
        return RolloutView.table(header: header, rows: rows, style: Style(enabled: false), width: width)
    }

    /// kubectl's ages: `42s`, `5m10s`, `3h12m`, `4d5h`, `400d`; `<unknown>` without a timestamp.
    public static func age(since timestamp: String?, now: Date) -> String {
        guard let timestamp, let then = HistoryEntry.parseTime(timestamp) else { return "<unknown>" }
        let s = max(0, Int(now.timeIntervalSince(then)))
        switch s {
        case ..<120: return "\(s)s"
        case ..<600: return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(s % 60)s"
        case ..<10_800: return "\(s / 60)m"
        case ..<28_800: return (s % 3600) / 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h\((s % 3600) / 60)m"
        case ..<172_800: return "\(s / 3600)h"
        case ..<(8 * 86_400): return (s % 86_400) / 3600 == 0 ? "\(s / 86_400)d" : "\(s / 86_400)d\((s % 86_400) / 3600)h"
        default: return "\(s / 86_400)d"
        }
    }
}
