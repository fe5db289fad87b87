import Foundation

/// Judges a canary against stable, interval by interval.
///
/// ```swift
/// let analyzer = CanaryAnalyzer(configuration: AnalysisConfiguration())
/// var state = analyzer.start(baseline: baseline)       // fixes the tests
/// for sample in intervals {
///     let decision = analyzer.observe(sample, state: &state)
///     if decision.outcome == .rollback { break }
/// }
/// let final = analyzer.conclude(state)                 // promote or inconclusive
/// ```
///
/// The analyzer itself holds no state: everything lives in ``AnalysisState``, a plain value.
public struct CanaryAnalyzer: Sendable {
    public let configuration: AnalysisConfiguration
    private let test: SequentialTest

    public init(configuration: AnalysisConfiguration) {
        self.configuration = configuration
        self.test = configuration.sequentialTest
    }

    /// Fixes the plan from stable's baseline and returns the initial state.
    public func start(baseline: Baseline) -> AnalysisState {
        AnalysisState(plan: AnalysisPlan(configuration: configuration, baseline: baseline))
    }

    /// Adds one interval's counts and decides: `rollback` if any check failed, else `continue`.
    /// Inconsistent counts in a part of the sample (errors above requests, say) make that part
    /// carry no evidence.
    public func observe(_ sample: TrafficSample, state: inout AnalysisState) -> Decision {
        state.intervals += 1
        let k = state.intervals
        for (i, spec) in state.plan.tests.enumerated() {
            let counts: RouteCounts
            if let route = spec.route {
                counts = sample.routes[route] ?? RouteCounts()
            } else {
                counts = RouteCounts(stable: sample.stable, canary: sample.canary)
            }
            guard (try? counts.stable.validate()) != nil, (try? counts.canary.validate()) != nil,
                  let c = spec.requestsAndEvents(in: counts.canary),
                  let s = spec.requestsAndEvents(in: counts.stable),
                  c.requests > 0, s.requests > 0
            else { continue }
            var t = state.tests[i]
            t.canary.requests += c.requests
            t.canary.events += c.events
            t.stable.requests += s.requests
            t.stable.events += s.events
            if test.accumulate(into: &t.logLikelihoods, canaryRequests: c.requests, canaryEvents: c.events,
                               stableRequests: s.requests, stableEvents: s.events) {
                t.informativeIntervals += 1
            }
            if t.failedAtInterval == nil, test.logEvidence(t.logLikelihoods) >= log(state.plan.bound) {
                t.failedAtInterval = k
            }
            state.tests[i] = t
        }
        if let guardrail = configuration.guardrail,
           (try? sample.canary.validate()) != nil, (try? sample.stable.validate()) != nil {
            state.guardrailCanary.requests += sample.canary.requests
            state.guardrailCanary.events += sample.canary.errors
            state.guardrailStable.requests += sample.stable.requests
            state.guardrailStable.events += sample.stable.errors
            if state.guardrailFailedAtInterval == nil, guardrailTripped(guardrail, state) {
                state.guardrailFailedAtInterval = k
            }
        }
        for check in configuration.checks {
            var q = state.queries[check.name] ?? QueryState()
            let values = sample.queries[check.name] ?? QueryValues(reason: "no value was measured")
            q.last = values
            if case .fail = evaluate(check, values).verdict {
                q.consecutiveFailures += 1
                if q.failedAtInterval == nil, q.consecutiveFailures >= (check.failureLimit ?? 1) {
                    q.failedAtInterval = k
                }
            } else {
                q.consecutiveFailures = 0
            }
            state.queries[check.name] = q
        }
        return decide(state, final: false)
    }

    /// Records an interval for which the provider had no data: no evidence is added.
    public func observeNoData(reason: String, state: inout AnalysisState) -> Decision {
        state.intervals += 1
        var decision = decide(state, final: false)
        decision.summary = "no data this interval (\(reason)); " + decision.summary
        return decision
    }

    /// The verdict at the end of the window: `rollback` if anything failed, `promote` if every
    /// check passed, else `inconclusive`.
    public func conclude(_ state: AnalysisState) -> Decision {
        decide(state, final: true)
    }

    /// The current decision without adding data.
    public func decide(_ state: AnalysisState, final: Bool) -> Decision {
        var checks: [Check] = []
        for (spec, t) in zip(state.plan.tests, state.tests) {
            checks.append(check(spec, t, bound: state.plan.bound))
        }
        checks += state.plan.notRun
        if let guardrail = configuration.guardrail { checks.append(guardrailCheck(guardrail, state)) }
        for c in configuration.checks { checks.append(queryCheck(c, state.queries[c.name])) }

        let failed = checks.filter { $0.verdict == .fail }
        if !failed.isEmpty {
            return Decision(outcome: .rollback, checks: checks,
                            summary: "canary is worse: " + failed.map { "\($0.name) (\($0.reason))" }.joined(separator: "; "))
        }
        let notPassed = checks.filter { $0.verdict != .pass }
        if !final {
            return Decision(outcome: .continue, checks: checks,
                            summary: notPassed.isEmpty ? "all \(checks.count) checks pass"
                                : "no check failed; \(notPassed.count) of \(checks.count) not yet passed")
        }
        if notPassed.isEmpty {
            return Decision(outcome: .promote, checks: checks, summary: "all \(checks.count) checks passed")
        }
        return Decision(outcome: .inconclusive, checks: checks,
                        summary: "window ended before every check could pass: "
                            + notPassed.map { "\($0.name) \($0.verdict.rawValue)" }.joined(separator: ", "))
    }

    /// The minimum exposure for a test whose canary share of requests is `share`.
    public func minimumExposure(tests: Int, canaryShare share: Double) -> Double {
        if let fixed = configuration.minExposure { return fixed }
        return ExposureRequirement(
            logBound: log(Double(tests) / configuration.alpha), canaryShare: share,
            power: configuration.power, detectRatio: configuration.detectRatio, test: test
        ).minimumExposure
    }

    // MARK: - Checks

    private func check(_ spec: TestSpec, _ t: TestState, bound: Double) -> Check {
        let logM = t.logLikelihoods.isEmpty ? 0 : test.logEvidence(t.logLikelihoods)
        let evidence = exp(min(logM, 700))
        var check = Check(
            name: spec.name, metric: spec.metric, route: spec.route, threshold: spec.threshold,
            canary: t.canary.summary, stable: t.stable.summary, evidence: evidence, bound: bound,
            verdict: .noData, reason: "")
        let what = spec.metric == .latency ? "slower than \(formatSeconds(spec.threshold ?? 0))" : "errors"
        guard t.canary.requests > 0, t.stable.requests > 0 else {
            check.reason = "no interval yet with requests on both tracks"
            return check
        }
        let stableRate = Double(t.stable.events) / Double(t.stable.requests)
        // The floor keeps error-free services promotable; a latency threshold is chosen where
        // stable has events, so its real rate is used as it is.
        let rate = spec.metric == .errorRate ? max(stableRate, configuration.minBaseRate) : stableRate
        let exposure = Double(t.canary.requests) * rate
        let share = Double(t.canary.requests) / Double(t.canary.requests + t.stable.requests)
        let minExposure = minimumExposure(tests: Int((bound * configuration.alpha).rounded()), canaryShare: share)
        check.exposure = exposure
        check.minExposure = minExposure
        let rates = "canary \(formatPercent(t.canary.rate)) \(what) of \(t.canary.requests), stable \(formatPercent(t.stable.rate)) of \(t.stable.requests)"
        if let at = t.failedAtInterval {
            check.verdict = .fail
            check.reason = "\(rates): evidence \(formatNumber(evidence)) reached the bound \(formatNumber(bound)) at interval \(at)"
        } else if exposure >= minExposure {
            check.verdict = .pass
            check.reason = "\(rates): evidence \(formatNumber(evidence)) below \(formatNumber(bound)); exposure \(formatNumber(exposure)) ≥ \(formatNumber(minExposure)) events"
        } else {
            check.verdict = .pending
            check.reason = "\(rates): no harm seen yet, exposure \(formatNumber(exposure)) of \(formatNumber(minExposure)) events needed"
        }
        return check
    }

    private func guardrailTripped(_ g: Guardrail, _ state: AnalysisState) -> Bool {
        let c = state.guardrailCanary
        guard c.requests >= g.minRequests, let rate = c.rate, rate >= g.maxErrorRate else { return false }
        return rate > (state.guardrailStable.rate ?? 0)
    }

    private func guardrailCheck(_ g: Guardrail, _ state: AnalysisState) -> Check {
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

    private func queryCheck(_ c: QueryCheck, _ q: QueryState?) -> Check {
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
