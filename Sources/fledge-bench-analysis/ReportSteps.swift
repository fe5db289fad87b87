/// The report's sections on the step schedules: the default steps beside the anchors, and the 20 req/s steps with
/// the controller's self-extension.
extension Report {
    /// `92.3% · 24`: a share and a median minute.
    static func shareAt(_ share: Double, _ minute: Int?) -> String {
        percent(share) + (minute.map { " · \($0)" } ?? "")
    }

    func stepsTable() -> [String] {
        let anchors: [JudgeKind] = [.flagger, .argo, .p99Ratio, .repeatedTests, .repeatedTestsPerRoute]
        var lines = [
            "## Default steps (5% for 10 min → 25% for 10 → 50% for 15)",
            "",
            "Fledge on the default steps: promoted (every step; median minute of promotion), inconclusive (held for a "
                + "person; the step that ended so), rolled back (median minute). The anchors' rules watch the same stream "
                + "for the 35 minutes and promote whatever they did not roll back; their columns are rolled-back shares.",
            "",
            "| case | traffic | promoted · minute | inconclusive (step) | rolled back · minute | "
                + anchors.map(\.title).joined(separator: " | ") + " |",
            "|---|---|---:|---:|---:|" + anchors.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for (scenario, result) in family(.defaultSteps) {
            let j = result.judges[index(.ours)]
            let cells = anchors.map { kind -> String in
                guard kind.applies(to: scenario) else { return "—" }
                let a = result.judges[index(kind)]
                return Self.shareAt(a.share(a.rolledBack), a.medianRollbackMinute)
            }
            lines.append("| \(scenario.name) | \(scenario.rateLabel) | \(Self.shareAt(j.share(j.promoted), j.medianPromotionMinute)) | "
                + "\(Self.percent(j.share(j.inconclusive)))\(Self.steps(j)) | \(Self.shareAt(j.share(j.rolledBack), j.medianRollbackMinute)) | "
                + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        return lines
    }

    func extendedTable() -> [String] {
        var lines = [
            "## Default steps with self-extension, 20 req/s",
            "",
            "Each step may extend itself up to 3× its window (30, 30 and 45 minutes) while `remainingIntervals` says the "
                + "bound is on course. Promoted within the default windows (minute 35, no extension used) and within the "
                + "maximum extension (median minute).",
            "",
            "| case | traffic | promoted within default windows | promoted within max extension · minute | inconclusive (step) | rolled back · minute |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for (scenario, result) in family(.extendedSteps) {
            let j = result.judges[index(.ours)]
            lines.append("| \(scenario.name) | \(scenario.rateLabel) | \(Self.percent(j.promoted(by: 35))) | "
                + "\(Self.shareAt(j.share(j.promoted), j.medianPromotionMinute)) | \(Self.percent(j.share(j.inconclusive)))\(Self.steps(j)) | "
                + "\(Self.shareAt(j.share(j.rolledBack), j.medianRollbackMinute)) |")
        }
        lines.append("")
        return lines
    }

    /// ` (step 1: 3, step 3: 12)`, or empty.
    static func steps(_ j: JudgeResult) -> String {
        guard !j.inconclusiveAtStep.isEmpty else { return "" }
        return " (" + j.inconclusiveAtStep.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }
}
