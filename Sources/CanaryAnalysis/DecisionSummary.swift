/// Turns a decision's checks into its outcome and its one-line summary.
///
/// - any check failed → `rollback`, naming them;
/// - mid-window → `continue`;
/// - at the window's end, every check that gates promotion now passed → `promote`, leading with the effect
///   ("error rate ≤ stable +0.2 pp (3×) with 99% confidence, accepted up to …: canary …, stable …");
/// - else `inconclusive`, saying how far each short check is and, when every one is on course, how many more
///   intervals would settle them (``Decision/remainingIntervals``).
///
/// A check gates promotion unless it says otherwise (`gatesPromotion == false`: a statistical test that gates
/// rollback only, now or always); the guardrail and the user checks always gate.
struct DecisionSummary {
    let checks: [Check]
    /// Effects listed in a summary before the rest are counted.
    static let listed = 3

    func decision(final: Bool) -> Decision {
        let failed = checks.filter { $0.verdict == .fail }
        if !failed.isEmpty {
            return Decision(outcome: .rollback, checks: checks,
                            summary: "canary is worse: " + failed.map(Self.harm).joined(separator: "; "))
        }
        let short = checks.filter { $0.gatesPromotion != false && $0.verdict != .pass }
        let bounded = checks.filter { $0.gatesPromotion == true && $0.verdict == .pass }
        let rollbackOnly = checks.filter { $0.gatesPromotion == false }
        if !final {
            return Decision(outcome: .continue, checks: checks,
                            summary: short.isEmpty ? "no check failed; every check that gates promotion passes"
                                : "no check failed; \(short.count) of \(checks.count - rollbackOnly.count) checks that gate promotion not yet good enough")
        }
        if short.isEmpty {
            var parts = bounded.prefix(Self.listed).map { "\(CheckWording.effect($0)): \(CheckWording.rates($0))" }
            if bounded.count > Self.listed { parts.append("\(bounded.count - Self.listed) more checks below their margins") }
            if bounded.isEmpty { parts.append("no statistical check gates promotion at this step; every other check passed") }
            if !rollbackOnly.isEmpty { parts.append("\(rollbackOnly.count) checks gate rollback only and did not fail") }
            return Decision(outcome: .promote, checks: checks, summary: "good enough: " + parts.joined(separator: "; "))
        }
        var parts = short.prefix(Self.listed).map { c -> String in
            c.regressionMargin != nil && c.verdict == .pending ? c.reason : "\(c.name) \(c.verdict.rawValue): \(c.reason)"
        }
        if short.count > Self.listed { parts.append("and \(short.count - Self.listed) more") }
        let remaining = Self.remaining(short)
        let settle = remaining.map { "; all would settle in ≈ \($0) more interval\($0 == 1 ? "" : "s") at the current traffic" } ?? ""
        return Decision(outcome: .inconclusive, checks: checks,
                        summary: "not yet shown good enough: " + parts.joined(separator: " | ") + settle,
                        remainingIntervals: remaining)
    }

    /// A failed check in the rollback summary: a statistical test leads with its harm (the evidence stays in the
    /// check's fields); the guardrail and user checks with their name and reason.
    static func harm(_ c: Check) -> String {
        c.metric == .errorRate || c.metric == .latency ? CheckWording.harm(c) : "\(c.name) (\(c.reason))"
    }

    /// The intervals after which every short check would pass: the largest estimate, when every short check is a
    /// statistical check on course.
    static func remaining(_ short: [Check]) -> Int? {
        var most = 0
        for c in short {
            guard c.verdict == .pending, c.regressionMargin != nil, let n = c.remainingIntervals else { return nil }
            most = max(most, n)
        }
        return short.isEmpty ? nil : most
    }
}
