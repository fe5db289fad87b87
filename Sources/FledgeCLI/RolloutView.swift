import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// The human view of one Rollout (`kubectl fledge get rollout NAME`): a pure function of the Rollout, its two
/// Deployments, the decision history, the width and whether to colour, so it is tested with tables.
public struct RolloutView: Sendable {
    public var rollout: Rollout
    public var stable: Deployment?
    public var canary: Deployment?
    public var history: [HistoryEntry]
    /// Lines longer than this are cut (nil: never).
    public var width: Int?
    public var colour: Bool
    /// How many history entries are shown.
    public var historyLimit: Int

    public init(rollout: Rollout, stable: Deployment? = nil, canary: Deployment? = nil, history: [HistoryEntry] = [],
                width: Int? = nil, colour: Bool = false, historyLimit: Int = 8) {
        self.rollout = rollout
        self.stable = stable
        self.canary = canary
        self.history = history
        self.width = width
        self.colour = colour
        self.historyLimit = historyLimit
    }

    /// Where a step is.
    public enum StepMark: String, Sendable, Equatable {
        case done, current, pending
        /// The current step of a stopped (aborted or rolled-back) canary.
        case stopped
    }

    /// Each step's mark: steps before `currentStepIndex` are done, it is current (stopped when the canary was),
    /// the rest pending.
    public static func marks(stepCount: Int, status: RolloutStatus?) -> [StepMark] {
        let index = status?.currentStepIndex ?? 0
        let inProgress = status?.canaryTemplateHash != nil
        let stopped = status?.canary?.aborted != nil
        return (0..<stepCount).map { i in
            if i < index { return .done }
            if i == index, inProgress { return stopped ? .stopped : .current }
            return .pending
        }
    }

    /// The view's lines.
    public func lines() -> [String] {
        let style = Style(enabled: colour)
        let status = rollout.status
        let effectiveSteps = Self.effectiveSteps(of: rollout)
        var out: [String] = []

        func field(_ label: String, _ value: String) {
            out.append(style.bold((label + ":").padding(toLength: 15, withPad: " ", startingAt: 0)) + value)
        }

        field("Name", rollout.metadata.name ?? "")
        field("Namespace", rollout.metadata.namespace ?? "")
        field("Phase", phase(status, style))
        if let message = status?.message, !message.isEmpty { field("Message", message) }
        if let invalid = status?.condition(.invalidSpec), invalid.status == "True" {
            field("Invalid spec", style.red(invalid.message ?? ""))
        }
        if rollout.spec?.paused == true { field("Paused", style.yellow("spec.paused is true (kubectl fledge resume \(rollout.metadata.name ?? ""))")) }

        let steps = effectiveSteps ?? []
        let marks = Self.marks(stepCount: steps.count, status: status)
        let inProgress = status?.canaryTemplateHash != nil
        let index = status?.currentStepIndex ?? 0
        if !steps.isEmpty {
            // People count steps from 1, as the controller's messages and Events do (status.currentStepIndex is 0-based).
            let position: String
            if inProgress, index < steps.count {
                position = "\(index + 1) of \(steps.count) (\(steps[index]))"
            } else if index >= steps.count {
                position = "all \(steps.count) done"
            } else {
                position = "\(index + 1) of \(steps.count)"
            }
            field("Step", position)
        }
        field("Weight", "set \(status?.canaryWeight.map { "\($0)%" } ?? "-"), actual \(status?.actualCanaryWeight.map(Self.percent) ?? "-")")
        if let routed = status?.condition(.trafficRouted) {
            // With a router the actual weight is the one read back from the route: say which, and whether it works.
            let text = routed.message ?? ""
            field("Traffic", routed.status == "True" ? text : style.red("\(routed.reason ?? "RouteUnavailable"): \(text)"))
        }
        field("Stable", track(version: status?.stableVersion, hash: status?.stableTemplateHash, deployment: stable))
        field("Canary", inProgress
              ? track(version: status?.canaryVersion, hash: status?.canaryTemplateHash, deployment: canary)
              : style.dim("none in progress"))
        if let ref = rollout.spec?.workloadRef, let name = ref.name {
            var text = "Deployment \(name), scaleDown \(ref.scaleDown ?? "never")"
            if let w = status?.workload, w.name == name {
                text += w.scaledDown == true ? ": scaled down (it had \(w.replicas ?? 0) replicas)" : ": \(w.replicas ?? 0) replicas when taken over"
            }
            field("Workload", text)
        }
        if let aborted = status?.canary?.aborted {
            field("Stopped", style.red("\(aborted.reason) at \(Self.clock(aborted.time)): \(aborted.message)"))
        }
        if let hold = status?.canary?.hold { field("Held", style.yellow(hold)) }
        if let action = status?.lastAction {
            field("Last action", "\(action.action):\(action.id) at \(Self.clock(action.time))" + (action.message.map { ": \($0)" } ?? ""))
        }

        // Steps.
        out.append("")
        if steps.isEmpty {
            out.append(style.bold("Steps") + "  " + style.dim(effectiveSteps == nil ? "(the spec is invalid)" : "(none)"))
        } else {
            out.append(style.bold("Steps"))
            for (i, step) in steps.enumerated() {
                let mark = marks[i]
                let symbol: String
                switch mark {
                case .done: symbol = style.green("✓")
                case .current: symbol = style.yellow("▶")
                case .pending: symbol = "○"  // the whole line is dimmed
                case .stopped: symbol = style.red("✗")
                }
                var text = "\(symbol) \(String(i + 1).leftPadded(2))  \(step)"
                if mark == .current { text += "  " + style.yellow("← current") }
                if mark == .stopped { text += "  " + style.red("← stopped here") }
                out.append("  " + (mark == .pending ? style.dim(text) : text))
            }
        }

        // Replicas.
        out.append("")
        out.append(style.bold("Replicas"))
        let header = ["TRACK", "DEPLOYMENT", "DESIRED", "UPDATED", "READY", "AVAILABLE"]
        var rows: [[String]] = []
        let name = rollout.metadata.name ?? ""
        for (trackName, deployment, deploymentName) in [("stable", stable, FledgeNames.stableDeployment(name)),
                                                        ("canary", canary, FledgeNames.canaryDeployment(name))] {
            guard let d = deployment else {
                rows.append([trackName, deploymentName + " (absent)", "-", "-", "-", "-"])
                continue
            }
            rows.append([trackName, deploymentName, String(d.spec?.replicas ?? 1), String(d.status?.updatedReplicas ?? 0),
                         String(d.status?.readyReplicas ?? 0), String(d.status?.availableReplicas ?? 0)])
        }
        out += Self.table(header: header, rows: rows, style: style, width: width.map { $0 - 2 }).map { "  " + $0 }

        // The latest analysis.
        out.append("")
        if let analysis = status?.lastAnalysis {
            let d = analysis.decision
            out.append(style.bold("Analysis") + "  " + style.outcome(d.outcome, d.outcome.rawValue.uppercased())
                + " at step \(analysis.stepIndex + 1), after \(analysis.intervals) interval\(analysis.intervals == 1 ? "" : "s")"
                + " (\(Self.clock(analysis.time))" + (analysis.canaryVersion.map { ", canary \($0)" } ?? "") + ")")
            out.append("  " + d.summary)
            out += CheckTable(checks: d.checks, style: style, showThreshold: true).lines(width: width.map { $0 - 2 }).map { "  " + $0 }
            for (i, check) in d.checks.enumerated() where check.verdict != .pass {
                out.append("  [\(i + 1)] \(check.name): \(style.verdict(check.verdict)): \(check.reason)")
            }
        } else {
            out.append(style.bold("Analysis") + "  " + style.dim("no decision yet"))
        }

        // History.
        out.append("")
        let recent = Array(history.suffix(historyLimit))
        if recent.isEmpty {
            out.append(style.bold("History") + "  " + style.dim("nothing recorded"))
        } else {
            out.append(style.bold("History"))
            let width = recent.map(\.reason.count).max() ?? 0
            for entry in recent {
                let reason = entry.reason.padding(toLength: width, withPad: " ", startingAt: 0)
                let coloured: String
                if let outcome = entry.outcome {
                    coloured = style.outcome(outcome, reason)
                } else {
                    coloured = entry.warning ? style.red(reason) : reason
                }
                out.append("  \(Self.clock(entry.time))  \(coloured)  \(entry.message)")
            }
        }

        guard let width else { return out }
        return out.map { ANSIText.truncate($0, to: width) }
    }

    private func phase(_ status: RolloutStatus?, _ style: Style) -> String {
        guard let phase = status?.phase else { return style.dim("unknown (the controller has not reported yet)") }
        switch phase {
        case .healthy: return style.green(phase.rawValue)
        case .progressing: return style.yellow(phase.rawValue)
        case .paused: return style.yellow(phase.rawValue)
        case .degraded: return style.red(phase.rawValue)
        }
    }

    /// `2.0.0  shop=registry/shop:2.0.0  (template 5d8f9c7b6a)`.
    private func track(version: String?, hash: String?, deployment: Deployment?) -> String {
        var parts = [version ?? "-"]
        let images = (deployment?.spec?.template?.spec?.containers ?? []).map { "\($0.name)=\($0.image ?? "?")" }
        if !images.isEmpty { parts.append(images.joined(separator: ", ")) }
        if let hash { parts.append("(template \(hash))") }
        return parts.joined(separator: "  ")
    }

    /// 12.5 → `12.5%`, 50 → `50%`.
    static func percent(_ x: Double) -> String {
        x == x.rounded() ? "\(Int(x))%" : String(format: "%.1f%%", x)
    }

    /// The time of day of an RFC 3339 timestamp (`12:04:05`), or the text itself when it is not one.
    static func clock(_ text: String) -> String {
        guard let t = text.firstIndex(of: "T") else { return text }
        let rest = text[text.index(after: t)...]
        let time = rest.prefix { $0.isNumber || $0 == ":" }
        return time.count == 8 ? String(time) : text
    }

    /// Columns aligned by width, two spaces apart; with a `width`, the middle columns are cut to fit it.
    static func table(header: [String], rows: [[String]], style: Style, width: Int? = nil) -> [String] {
        var natural = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { natural[i] = max(natural[i], cell.count) } }
        let widths = TableFit.widths(natural, limit: width)
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, whole in
                let cell = TableFit.cut(whole, to: widths[i])
                return i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return [style.bold(render(header))] + rows.map(render)
    }
}

extension String {
    /// Padded with spaces on the left to `width`.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Text that may hold ANSI colour sequences.
enum ANSIText {
    /// The characters a terminal shows.
    static func visibleCount(_ s: String) -> Int {
        var n = 0
        var inEscape = false
        for c in s {
            if inEscape {
                if c.isLetter { inEscape = false }
            } else if c == "\u{1B}" {
                inEscape = true
            } else {
                n += 1
            }
        }
        return n
    }

    /// `s` cut to `width` visible characters, ending with `…` when cut; escape sequences are kept (and closed).
    static func truncate(_ s: String, to width: Int) -> String {
        guard width > 0, visibleCount(s) > width else { return s }
        var out = ""
        var n = 0
        var inEscape = false
        var sawEscape = false
        for c in s {
            if inEscape {
                out.append(c)
                if c.isLetter { inEscape = false }
            } else if c == "\u{1B}" {
                out.append(c)
                inEscape = true
                sawEscape = true
            } else {
                if n == width - 1 { break }
                out.append(c)
                n += 1
            }
        }
        out.append("…")
        if sawEscape { out.append("\u{1B}[0m") }
        return out
    }
}

extension RolloutView {
    /// The steps the controller walks, defaults applied. The controller may supply the Prometheus address
    /// (`--prometheus-address`) that a spec with analysis steps leaves out, so one is assumed here: the steps do
    /// not depend on it. Nil when the spec is invalid.
    /// With `spec.workloadRef` the template is the referenced Deployment's, which the plugin does not read: a
    /// stand-in template that matches the selector is used (the steps do not depend on it either).
    static func effectiveSteps(of rollout: Rollout) -> [EffectiveStep]? {
        var standIn: ReferencedWorkload?
        if rollout.spec?.workloadRef != nil {
            let labels = rollout.spec?.selector?.matchLabels ?? ["app": "stand-in"]
            let template: JSONValue = [
                "metadata": ["labels": .object(labels.mapValues { .string($0) })],
                "spec": ["containers": [["name": "app", "image": "app:stand-in", "ports": [["containerPort": 8080]]]]],
            ]
            standIn = ReferencedWorkload(template: template, selector: LabelSelector(matchLabels: labels), replicas: 1)
        }
        return try? RolloutResolver.resolve(rollout, defaults: RolloutDefaults(prometheusAddress: "http://prometheus.invalid"),
                                            workload: standIn).get().steps
    }
}
