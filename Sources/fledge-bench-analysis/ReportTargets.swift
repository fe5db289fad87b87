import Foundation

/// The report's targets: every figure the issue asks for, measured, and whether it is met.
extension Report {
    /// Rolled-back shares of Fledge's judge on the single step in the report before promotion became a
    /// non-inferiority decision (docs/benchmarks/analysis.md of 2026-11-22), the detection the change must keep.
    static let caughtBefore: [String: Double] = [
        "errors +5 pp (1% → 6%)|20 req/s": 1.0, "errors +5 pp (1% → 6%)|200 req/s": 1.0,
        "tail: 1% of requests +300 ms|20 req/s": 0.95, "tail: 1% of requests +300 ms|200 req/s": 1.0,
        "route 5 of 10 errors +5 pp|20 req/s": 0.369, "route 5 of 10 errors +5 pp|200 req/s": 1.0,
    ]

    func targetsSection() -> [String] {
        var lines = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
        let ours = index(.ours)
        func row(_ target: String, _ measured: String, _ ok: Bool) { lines.append("| \(target) | \(measured) | \(Self.met(ok)) |") }
        // 1. False rollbacks on the single step.
        for (kind, label) in [(JudgeKind.ours, "α = 0.02 (default)"), (.oursAlpha005, "α = 0.05")] {
            let healthy = family(.singleStep).filter { $0.0.healthy }.map { s, r -> (Scenario, Double) in
                let j = r.judges[index(kind)]
                return (s, j.share(j.rolledBack))
            }
            if let worst = healthy.max(by: { $0.1 < $1.1 }) {
                row("≤ 1% of healthy runs rolled back in every healthy case, one step, \(label)",
                    "worst \(Self.percent(worst.1)) (\(worst.0.name), \(worst.0.rateLabel)); all: \(healthy.map { Self.percent($0.1) }.joined(separator: ", "))",
                    worst.1 <= 0.01)
            }
        }
        // 2. Healthy promotion on the default steps at 200 req/s.
        for (s, r) in family(.defaultSteps) where s.healthy && s.requestsPerSecond >= 200 {
            let j = r.judges[ours]
            row("healthy at 200 req/s, default steps: ≥ 90% promoted within the default windows, ≤ 1% rolled back — \(s.name)",
                "\(Self.percent(j.share(j.promoted))) promoted (median minute \(j.medianPromotionMinute.map(String.init) ?? "—")), \(Self.percent(j.share(j.rolledBack))) rolled back",
                j.share(j.promoted) >= 0.9 && j.share(j.rolledBack) <= 0.01)
        }
        // 3. Healthy promotion at 20 req/s with extension.
        for (s, r) in family(.extendedSteps) where s.healthy {
            let j = r.judges[ours]
            row("healthy at 20 req/s: ≥ 90% promoted within the maximum extension — \(s.name)",
                "\(Self.percent(j.share(j.promoted))) (within the default windows: \(Self.percent(j.promoted(by: 35)))); \(Self.percent(j.share(j.rolledBack))) rolled back",
                j.share(j.promoted) >= 0.9)
        }
        // 4. Regressions beyond the margin.
        for f in [Scenario.Family.defaultSteps, .extendedSteps] {
            for (s, r) in family(f) where s.name.hasPrefix("margin") {
                let j = r.judges[ours]
                let twice = s.name.hasPrefix("margin ×2")
                let limit = twice ? 0.05 : 0.02
                row("\(twice ? "twice the margin: ≤ 5% promoted" : "just beyond the margin: ≤ β = 2% promoted where the test gates promotion") — \(s.name), \(s.rateLabel), \(s.familyLabel)",
                    "\(Self.percent(j.share(j.promoted))) promoted, \(Self.percent(j.share(j.rolledBack))) rolled back, \(Self.percent(j.share(j.inconclusive))) held",
                    j.share(j.promoted) <= limit || (!twice && !gatesPromotion(s)))
            }
        }
        // 5. Detection as before (the rollback test is unchanged; the single step replays the same seeds).
        for (s, r) in family(.singleStep) {
            guard let before = Self.caughtBefore["\(s.name)|\(s.rateLabel)"] else { continue }
            let j = r.judges[ours]
            let steps = family(.defaultSteps).first { $0.0.name == s.name && $0.0.rateLabel == s.rateLabel }
                .map { ", default steps \(Self.percent($0.1.judges[ours].share($0.1.judges[ours].rolledBack)))" } ?? ""
            row("detection no worse than before the promotion rule — \(s.name), \(s.rateLabel)",
                "one step \(Self.percent(j.share(j.rolledBack))) (before: \(Self.percent(before)))\(steps)",
                j.share(j.rolledBack) >= before - 1e-9)
        }
        for (s, r) in family(.singleStep) where s.name.hasPrefix("errors +5 pp") {
            let within = s.requestsPerSecond < 100 ? 5 : 2
            let caught = r.judges[ours].caught(by: within)
            row("≥ 95% of +5 pp caught within \(within) intervals at \(s.rateLabel)", Self.percent(caught), caught >= 0.95)
        }
        // 6. A doubling at 20 req/s is not promoted.
        for f in [Scenario.Family.defaultSteps, .extendedSteps] {
            for (s, r) in family(f) where s.name.hasPrefix("errors +1 pp") && s.requestsPerSecond < 100 {
                let j = r.judges[ours]
                let held = 1 - j.share(j.promoted)
                row("doubling of a 1% error rate at 20 req/s caught or held in ≥ 95% — \(s.familyLabel)",
                    "\(Self.percent(held)) (\(Self.percent(j.share(j.rolledBack))) rolled back, \(Self.percent(j.share(j.inconclusive))) held)", held >= 0.95)
            }
        }
        // 7. Speed.
        if let t = timings.first {
            row("one interval of 100 tests in ≤ 1 ms", "\(Self.micro(t.medianPassMicroseconds)) (median pass; mean \(Self.micro(t.meanMicroseconds)), \(t.tests) tests)",
                t.medianPassMicroseconds <= 1000)
        }
        let n = family(.singleStep).first(where: { $0.0.healthy })?.0.runs ?? 1
        lines.append("")
        lines.append("With \(n) runs, a measured share of 1% has a standard error of about "
            + String(format: "%.2f", 100 * (0.01 * 0.99 / Double(max(n, 1))).squareRoot()) + " percentage points; with 1000, "
            + String(format: "%.2f", 100 * (0.01 * 0.99 / 1000).squareRoot()) + ".")
        lines.append("")
        return lines
    }
}
