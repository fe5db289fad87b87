import CanaryAnalysis

/// The table of every check of a decision: name, canary and stable counts and rates, (optionally) the latency
/// threshold, evidence against its bound, the regression's upper bound against its margin, verdict.
struct CheckTable {
    var checks: [Check]
    var style: Style
    /// Adds a THRESHOLD column (the latency threshold of latency checks).
    var showThreshold = false

    /// The table's lines (header first), columns aligned; with a `width`, the middle columns are cut to fit it and
    /// the verdict is kept.
    func lines(width: Int? = nil) -> [String] {
        var header = ["#", "CHECK", "CANARY", "STABLE", "EVIDENCE/BOUND", "BOUND/MARGIN", "VERDICT"]
        if showThreshold { header.insert("THRESHOLD", at: 4) }
        let rows = checks.enumerated().map { i, c in
            var row = [String(i + 1), c.name, Self.track(c.canary), Self.track(c.stable),
                       Self.pair(c.evidence, c.bound), Self.bound(c), c.verdict.rawValue]
            if showThreshold { row.insert(c.threshold.map(Self.threshold) ?? "-", at: 4) }
            return row
        }
        var natural = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { natural[i] = max(natural[i], cell.count) }
        }
        let widths = TableFit.widths(natural, limit: width)
        func render(_ cells: [String], verdict: Verdict?) -> String {
            var out: [String] = []
            for (i, whole) in cells.enumerated() {
                let cell = TableFit.cut(whole, to: widths[i])
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                switch i {
                case 0: out.append(pad + cell)
                case cells.count - 1: out.append(verdict.map { style.verdict($0, cell) } ?? cell)
                default: out.append(cell + pad)
                }
            }
            return out.joined(separator: "  ")
        }
        return [style.bold(render(header, verdict: nil))]
            + zip(rows, checks).map { render($0, verdict: $1.verdict) }
    }

    /// `events/requests (rate)`, a query's value, or `-`.
    static func track(_ t: TrackSummary?) -> String {
        guard let t else { return "-" }
        if let requests = t.requests, let events = t.events {
            return "\(formatCount(events))/\(formatCount(requests)) (\(formatPercent(t.rate)))"
        }
        if let rate = t.rate { return formatNumber(rate) }
        return "-"
    }

    /// A latency threshold in seconds, as `250ms` or `1.5s`.
    static func threshold(_ seconds: Double) -> String {
        seconds < 1 ? "\(formatNumber(seconds * 1000))ms" : "\(formatNumber(seconds))s"
    }

    /// The regression bound against the margin (`1.7×/2×`; `>10×/2×` while above the grid; `-/2×` before any
    /// evidence), `rollback only` for a check that does not gate promotion, or `-`.
    static func bound(_ c: Check) -> String {
        guard let margin = c.regressionMargin else { return c.gatesPromotion == false ? "rollback only" : "-" }
        let bound = c.regressionBound.map(AnalysisFormat.ratio)
            ?? (c.canary?.requests ?? 0 > 0 ? ">" + AnalysisFormat.ratio(margin * NonInferiorityTest.grid.last!) : "-")
        return bound + "/" + AnalysisFormat.ratio(margin) + (c.gatesPromotion == false ? " (rollback only)" : "")
    }

    /// `value/limit`, or `-`.
    static func pair(_ value: Double?, _ limit: Double?) -> String {
        guard let value, let limit else { return "-" }
        return "\(formatNumber(value))/\(formatNumber(limit))"
    }
}
