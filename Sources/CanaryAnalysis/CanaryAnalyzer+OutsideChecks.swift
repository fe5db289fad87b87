import Foundation

/// The checks outside the α budget: the absolute guardrail and the user's query checks.
extension CanaryAnalyzer {
    func guardrailTripped(_ g: Guardrail, _ state: AnalysisState) -> Bool {
        let c = state.guardrailCanary
        guard c.requests >= g.minRequests, let rate = c.rate, rate >= g.maxErrorRate else { return false }
        return rate > (state.guardrailStable.rate ?? 0)
    }

    func guardrailCheck(_ g: Guardrail, _ state: AnalysisState) -> Check {
        let c = state.guardrailCanary, s = state.guardrailStable
        var check = Check(name: "guardrail error rate < \(formatPercent(g.maxErrorRate))", metric: .guardrail,
                          canary: c.summary, stable: s.summary, verdict: .pending, reason: "")
        if let at = state.guardrailFailedAtInterval {
            check.verdict = .fail
            check.reason = "canary failed \(formatPercent(c.rate)) of \(c.requests) requests (limit \(formatPercent(g.maxErrorRate))), stable \(formatPercent(s.rate)); tripped at interval \(at)"
        } else if c.requests == 0 {
            check.verdict = .noData
            check.reason = "no canary requests yet"
        } else if c.requests < g.minRequests {
            check.reason = "\(c.requests) of \(g.minRequests) canary requests needed"
        } else {
            check.verdict = .pass
            check.reason = "canary error rate \(formatPercent(c.rate)) of \(c.requests) requests"
        }
        return check
    }

    /// Evaluates a user check on one interval's values.
    func evaluate(_ c: QueryCheck, _ v: QueryValues) -> (verdict: Verdict, reason: String) {
        guard let canary = v.canary, canary.isFinite else {
            return (.noData, "no canary value: \(v.reason ?? "not measured")")
        }
        if let min = c.min, canary < min { return (.fail, "canary \(formatNumber(canary)) below the minimum \(formatNumber(min))") }
        if let max = c.max, canary > max { return (.fail, "canary \(formatNumber(canary)) above the maximum \(formatNumber(max))") }
        if let direction = c.compare {
            guard let stable = v.stable, stable.isFinite else {
                return (.noData, "no stable value to compare with: \(v.reason ?? "not measured")")
            }
            let tol = c.tolerance ?? 0
            switch direction {
            case .lowerIsWorse:
                let floor = stable - abs(stable) * tol
                if canary < floor {
                    return (.fail, "canary \(formatNumber(canary)) below stable \(formatNumber(stable)) less \(formatPercent(tol)) (\(formatNumber(floor)))")
                }
            case .higherIsWorse:
                let ceiling = stable + abs(stable) * tol
                if canary > ceiling {
                    return (.fail, "canary \(formatNumber(canary)) above stable \(formatNumber(stable)) plus \(formatPercent(tol)) (\(formatNumber(ceiling)))")
                }
            }
            return (.pass, "canary \(formatNumber(canary)), stable \(formatNumber(stable)), within \(formatPercent(tol))")
        }
        return (.pass, "canary \(formatNumber(canary)) within bounds")
    }

    func queryCheck(_ c: QueryCheck, _ q: QueryState?) -> Check {
        let values = q?.last ?? QueryValues(reason: "no interval observed yet")
        var (verdict, reason) = evaluate(c, values)
        if let at = q?.failedAtInterval {
            verdict = .fail
            reason = "failed at interval \(at); latest: \(reason)"
        } else if verdict == .fail {
            verdict = .pending
            reason += " (\(q?.consecutiveFailures ?? 0) of \(c.failureLimit ?? 1) consecutive failures)"
        }
        return Check(name: c.name, metric: .query, canary: TrackSummary(rate: values.canary.flatMap { $0.isFinite ? $0 : nil }),
                     stable: TrackSummary(rate: values.stable.flatMap { $0.isFinite ? $0 : nil }),
                     verdict: verdict, reason: reason)
    }
}
