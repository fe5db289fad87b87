import Foundation

/// Builds the ``Check`` of one statistical test from its accumulated state: the rollback verdict (evidence against
/// "not worse" reached `K/α`), and the promotion verdict (the upper confidence bound on the regression is below the
/// margin, with the estimate of how much longer it needs when it is not).
struct StatisticalCheck {
    let spec: TestSpec
    let state: TestState
    let plan: AnalysisPlan
    let rollbackTest: SequentialTest
    /// The canary's share at the current step.
    let canaryShare: Double?
    /// β when the plan has no promotion bound of its own (plans made by an older version).
    let beta: Double
    /// At the window's end: only then is the time a pending test still needs estimated (a search over its
    /// evidence, the costliest part of a check; mid-window nothing reads it).
    var final = true

    var logPromotionThreshold: Double {
        log(plan.promotionBound ?? 1 / beta)
    }

    func check() -> Check {
        let t = state
        let logM = t.logLikelihoods.isEmpty ? 0 : rollbackTest.logEvidence(t.logLikelihoods)
        let evidence = exp(min(logM, 700))
        let gates = spec.gatesPromotion(atShare: canaryShare)
        var check = Check(
            name: spec.name, metric: spec.metric, route: spec.route, threshold: spec.threshold,
            canary: t.canary.summary, stable: t.stable.summary, evidence: evidence, bound: plan.bound,
            regressionMargin: spec.margin, gatesPromotion: gates, verdict: .noData, reason: "")
        if spec.margin != nil { check.confidence = 1 - 1 / (plan.promotionBound ?? 1 / beta) }
        let role = roleNote(gates: gates)
        guard t.canary.requests > 0, t.stable.requests > 0 else {
            check.reason = "no interval yet with requests on both tracks" + role
            return check
        }
        if let rate = t.stable.rate { check.exposure = Double(t.canary.requests) * rate }
        let test = spec.nonInferiority
        let threshold = logPromotionThreshold
        if let test { check.regressionBound = test.upperBound(t.promotionLogLikelihoods, logThreshold: threshold) }
        let rates = CheckWording.rates(check)
        if let at = t.failedAtInterval {
            check.verdict = .fail
            check.reason = "\(CheckWording.harm(check)); evidence \(formatNumber(evidence)) reached the bound \(formatNumber(plan.bound)) at interval \(at)"
            return check
        }
        let notWorse = "evidence of harm \(formatNumber(evidence)) below \(formatNumber(plan.bound))"
        guard gates, let test else {
            check.verdict = .pass
            check.reason = "\(rates): \(notWorse)" + role
            return check
        }
        if test.settled(t.promotionLogLikelihoods, logThreshold: threshold) {
            check.verdict = .pass
            check.reason = "\(CheckWording.effect(check)): \(rates); \(notWorse)"
            return check
        }
        check.verdict = .pending
        if final { check.remainingIntervals = remainingIntervals(test, logThreshold: threshold) }
        check.reason = "\(CheckWording.shortfall(check, observedRatio: observedRatio, estimated: final)): \(rates); \(notWorse)"
        return check
    }

    /// The canary's observed ratio to stable, shrunk toward 1 when there are few events
    /// (`(x_c + ½) / (μ + ½)` with `μ` the canary events expected at stable's rate); nil without stable events.
    var observedRatio: Double? {
        guard state.stable.events > 0, let rate = state.stable.rate else { return nil }
        let mu = Double(state.canary.requests) * rate
        return (Double(state.canary.events) + 0.5) / (mu + 0.5)
    }

    /// Intervals at the recent traffic until the bound would be below the margin if the canary keeps its
    /// observed ratio; nil when that ratio is not below the margin or the traffic is unknown.
    func remainingIntervals(_ test: NonInferiorityTest, logThreshold: Double) -> Int? {
        guard let ratio = observedRatio, ratio < test.margin, let rate = state.stable.rate,
              let nc = state.recentCanaryRequests, let ns = state.recentStableRequests, nc > 0, ns > 0
        else { return nil }
        let drift = test.drift(canaryRequests: nc, stableRequests: ns, rate: rate, ratio: ratio).map(\.mean)
        return test.intervalsToSettle(state.promotionLogLikelihoods, drift: drift, logThreshold: logThreshold, limit: 100_000)
    }

    /// What the test does for promotion when it does not gate it now.
    func roleNote(gates: Bool) -> String {
        if let why = spec.rollbackOnly { return "; \(why)" }
        if !gates, let from = spec.gatesFromShare {
            return "; gates promotion from a \(formatPercent(from)) canary on, rollback only before"
        }
        return ""
    }
}
