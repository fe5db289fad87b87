import CanaryAnalysis

/// The default output: one line per canary interval, the failing checks on a rollback, then a table of
/// every check and the verdict. Coloured only on a terminal without `NO_COLOR`.
public struct HumanReporter: AnalysisReporter {
    public var console: Console
    let style: Style

    public init(console: Console) {
        self.console = console
        self.style = Style(enabled: console.usesColour)
    }

    public func started(plan: AnalysisPlan, note: String?) {
        if let note { console.print(style.yellow("note: \(note)")) }
        let names = plan.tests.map(\.name).joined(separator: "; ")
        let alpha = plan.tests.isEmpty ? 0 : Double(plan.tests.count) / plan.bound
        console.print("plan: \(plan.tests.count) test\(plan.tests.count == 1 ? "" : "s") (\(names)); "
            + "each fails at evidence \(formatNumber(plan.bound)) (α = \(formatNumber(alpha)))")
        for check in plan.notRun {
            console.print(style.dim("\(check.name): \(check.reason)"))
        }
        if let line = Self.promotionLine(plan) { console.print(line) }
        for test in plan.tests {
            if let why = test.rollbackOnly {
                console.print(style.dim("\(test.name): \(why)"))
            } else if let from = test.gatesFromShare {
                console.print(style.dim("\(test.name): gates promotion from a \(formatPercent(from)) canary on"))
            }
        }
    }

    /// `promotion: each gating test's upper bound must fall below its margin with 98% confidence (error rate 2×,
    /// latency p99 > 250ms 2×)`, or nil for a plan without margins.
    static func promotionLine(_ plan: AnalysisPlan) -> String? {
        let margins = plan.tests.compactMap { t in t.margin.map { "\(t.name) \(AnalysisFormat.ratio($0))" } }
        guard !margins.isEmpty, let confidence = plan.promotionConfidence else { return nil }
        return "promotion: each gating test's upper bound must fall below its margin with "
            + "\(AnalysisFormat.confidence(confidence)) confidence (\(margins.joined(separator: "; ")))"
    }

    public func observed(interval: Int, decision: Decision, note: String?) {
        console.print(Self.intervalLine(interval: interval, decision: decision, note: note, style: style))
        if decision.outcome == .rollback {
            for (i, check) in decision.checks.enumerated() where check.verdict == .fail {
                console.print("  \(style.red("failed")) [\(i + 1)] \(check.name): \(check.reason)")
            }
        }
    }

    public func finished(interval: Int, decision: Decision, isFinal: Bool) {
        console.print("")
        let width = console.outputIsTerminal ? console.terminalWidth() : nil
        for line in CheckTable(checks: decision.checks, style: style).lines(width: width) { console.print(line) }
        let open = decision.checks.enumerated().filter {
            ($0.element.verdict == .pending || $0.element.verdict == .noData) && $0.element.gatesPromotion != false
        }
        if !open.isEmpty {
            console.print("")
            for (i, check) in open {
                console.print("[\(i + 1)] \(check.name): \(style.verdict(check.verdict)): \(check.reason)")
            }
        }
        console.print("")
        let when = isFinal ? "at the end of the window (interval \(interval))" : "at interval \(interval)"
        console.print("verdict: \(style.outcome(decision.outcome, decision.outcome.rawValue.uppercased())) \(when): \(Self.verdictReason(decision))")
    }

    /// Why: the failed checks on a rollback, the checks that did not pass when inconclusive.
    static func verdictReason(_ decision: Decision) -> String {
        func list(_ verdicts: Set<Verdict>) -> String {
            decision.checks.enumerated().filter { verdicts.contains($0.element.verdict) && $0.element.gatesPromotion != false }
                .map { "[\($0.offset + 1)] \($0.element.name) \($0.element.verdict.rawValue)" }
                .joined(separator: ", ")
        }
        switch decision.outcome {
        case .rollback:
            let n = decision.failedChecks.count
            return "\(n) check\(n == 1 ? "" : "s") failed: " + list([.fail])
        case .inconclusive:
            let more = decision.remainingIntervals.map { "; ≈ \($0) more intervals at the current traffic would settle them" } ?? ""
            return "not yet shown good enough: " + list([.pending, .noData]) + more
        case .promote, .continue:
            return decision.summary
        }
    }

    /// `interval 7  continue  canary 0.52% errors of 2,100 · stable 0.50% of 39,900 · evidence 0.3/60 · 2 of 4 checks not yet passed`
    static func intervalLine(interval: Int, decision: Decision, note: String?, style: Style) -> String {
        var parts: [String] = []
        if let errors = decision.checks.first(where: { $0.metric == .errorRate && $0.route == nil }),
           let c = errors.canary, let s = errors.stable, let cr = c.requests, cr > 0, let sr = s.requests {
            parts.append("canary \(formatPercent(c.rate)) errors of \(formatCount(cr))")
            parts.append("stable \(formatPercent(s.rate)) of \(formatCount(sr))")
        } else {
            parts.append("no interval yet with traffic on both tracks")
        }
        let statistical = decision.checks.filter { $0.evidence != nil && ($0.bound ?? 0) > 0 }
        if let strongest = statistical.max(by: { ($0.evidence! / $0.bound!) < ($1.evidence! / $1.bound!) }),
           let e = strongest.evidence, let b = strongest.bound {
            parts.append("evidence \(formatNumber(e))/\(formatNumber(b))" + (statistical.count > 1 ? " (\(strongest.name))" : ""))
        }
        let failed = decision.failedChecks.count
        let open = decision.checks.filter { $0.verdict != .pass && $0.verdict != .fail && $0.gatesPromotion != false }.count
        if failed > 0 {
            parts.append(style.red("\(failed) of \(decision.checks.count) checks failed"))
        } else if open > 0 {
            parts.append("\(open) of \(decision.checks.count) checks not yet passed")
        } else {
            parts.append("all \(decision.checks.count) checks pass")
        }
        if let note { parts.append(style.yellow("no data: \(note)")) }
        let word = decision.outcome.rawValue
        let padded = word + String(repeating: " ", count: max(0, 8 - word.count))
        let number = String(interval)
        let paddedNumber = String(repeating: " ", count: max(0, 2 - number.count)) + number
        return "interval \(paddedNumber)  \(style.outcome(decision.outcome, padded))  " + parts.joined(separator: " · ")
    }
}
