/// The sentences a statistical check's reason and a decision's summary are made of, from the check's fields alone,
/// so that the summary and the check say the same thing.
enum CheckWording {
    /// `canary 0.06% errors of 1,812, stable 0.10% of 34,400`.
    static func rates(_ c: Check) -> String {
        let what = c.metric == .latency ? "slower than \(formatSeconds(c.threshold ?? 0))" : "errors"
        return "canary \(formatPercent(c.canary?.rate)) \(what) of \(AnalysisFormat.count(c.canary?.requests ?? 0)), "
            + "stable \(formatPercent(c.stable?.rate)) of \(AnalysisFormat.count(c.stable?.requests ?? 0))"
    }

    /// A ratio bound as the reader thinks of it: for errors `stable + 0.36 pp (1.6×)` (points at stable's rate),
    /// for latency `1.6× stable's share`.
    static func regression(_ ratio: Double, _ c: Check) -> String {
        if c.metric == .latency { return "\(AnalysisFormat.ratio(ratio)) stable's share" }
        let rate = c.stable?.rate ?? 0
        return "stable \(AnalysisFormat.points((ratio - 1) * rate)) (\(AnalysisFormat.ratio(ratio)))"
    }

    /// The subject: `error rate`, `/api/r1 error rate`, `latency p99 > 250ms share of slow requests`.
    static func subject(_ c: Check) -> String {
        c.metric == .latency ? "\(c.name): slow share" : c.name
    }

    /// A passing check's effect, leading the promote decision:
    /// `error rate ≤ stable +0.36 pp (1.6×) with 99% confidence, accepted up to +1 pp (2×)`.
    static func effect(_ c: Check) -> String {
        guard let bound = c.regressionBound, let margin = c.regressionMargin else { return c.name }
        let confidence = c.confidence.map { " with \(AnalysisFormat.confidence($0)) confidence" } ?? ""
        return "\(subject(c)) ≤ \(regression(bound, c))\(confidence), accepted up to \(accepted(margin, c))"
    }

    /// A failed statistical check's harm, led by its size, as a person reads it first:
    /// `error rate 16× stable: canary 8.25% errors of 2,983, stable 0.51% of 56,872`.
    static func harm(_ c: Check) -> String {
        guard let cr = c.canary?.rate, let sr = c.stable?.rate else { return "\(subject(c)) worse than stable: \(rates(c))" }
        let size = sr > 0 ? "\(AnalysisFormat.ratio(cr / sr)) stable" : "where stable had none"
        return "\(subject(c)) \(size): \(rates(c))"
    }

    /// The margin: `stable +1 pp (2×)`, `2× stable's share`.
    static func accepted(_ margin: Double, _ c: Check) -> String { regression(margin, c) }

    /// Why a gating check is not yet good enough, and how far it is:
    /// `error rate ≤ stable +1.6 pp (2.6×) so far, above the accepted stable +1 pp (2×); ≈ 14 more intervals at
    /// the current traffic would settle it`.
    /// Mid-window (`estimated: false`) the time it needs is not estimated, and not spoken of.
    static func shortfall(_ c: Check, observedRatio: Double?, estimated: Bool = true) -> String {
        guard let margin = c.regressionMargin else { return "\(c.name) has no margin" }
        var text: String
        if let bound = c.regressionBound {
            text = "\(subject(c)) ≤ \(regression(bound, c)) so far, above the accepted \(accepted(margin, c))"
        } else {
            text = "\(subject(c)) not yet bounded below \(regression(margin * NonInferiorityTest.grid.last!, c)) "
                + "(accepted: \(accepted(margin, c)))"
        }
        if let n = c.remainingIntervals {
            text += "; ≈ \(n) more interval\(n == 1 ? "" : "s") at the current traffic would settle it"
        } else if let r = observedRatio, r >= margin {
            text += "; not on course: the canary's rate is \(AnalysisFormat.ratio(r)) stable's"
        } else if estimated {
            text += "; how long it needs is not estimable yet"
        }
        return text
    }
}
