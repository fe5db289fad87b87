import CanaryAnalysis
import Foundation

/// Sentences a person reads first: the effect and its size, then the numbers ("error rate 15× stable: canary
/// 7.80% of 4,895 requests, stable 0.51% of 94,995"). The evidence and its bound stay in the structured fields of
/// `status.lastAnalysis.checks[]`.
enum DecisionWording {
    /// The failed checks of a rollback decision, each led by its effect; the decision's summary when none failed.
    static func effect(of decision: Decision) -> String {
        let failed = decision.failedChecks
        guard !failed.isEmpty else { return decision.summary }
        return failed.map(effect(of:)).joined(separator: "; ")
    }

    /// One failed check: "error rate 15× stable: canary 7.80% of 4,895 requests, stable 0.51% of 94,995".
    static func effect(of check: Check) -> String {
        guard check.metric == .errorRate || check.metric == .latency || check.metric == .guardrail,
              let c = check.canary, let s = check.stable, let cn = c.requests, let sn = s.requests, let cr = c.rate
        else { return "\(check.name): \(check.reason)" }
        let what: String
        switch check.metric {
        case .latency: what = "requests slower than \(seconds(check.threshold ?? 0))"
        case .guardrail: what = "error rate"
        default: what = "error rate"
        }
        let route = check.route.map { " on \($0)" } ?? ""
        var size = ""
        if let sr = s.rate, sr > 0 {
            let ratio = cr / sr
            size = ratio >= 1.95 ? "\(Int(ratio.rounded()))× stable" : String(format: "%.1f× stable", ratio)
        } else {
            size = "stable had none"
        }
        let effect = "\(what)\(route) \(size): canary \(percent(cr)) of \(grouped(cn)) requests, stable \(percent(s.rate ?? 0)) of \(grouped(sn))"
        // The check's name too, when the effect does not already say it, so a reader can find it in the checks.
        return effect.contains(check.name) ? effect : "\(effect) (check \(check.name))"
    }

    static func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

    static func seconds(_ s: Double) -> String { s >= 1 ? String(format: "%gs", s) : String(format: "%gms", s * 1000) }

    /// 94995 → "94,995".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}
