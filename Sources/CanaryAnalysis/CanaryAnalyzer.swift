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
        state.plan = state.plan.upgradedForPromotion(configuration)
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
            spec.nonInferiority?.accumulate(into: &t.promotionLogLikelihoods, canaryRequests: c.requests, canaryEvents: c.events,
                                            stableRequests: s.requests, stableEvents: s.events)
            t.noteRequests(canary: c.requests, stable: s.requests)
            state.tests[i] = t
        }
        if sample.canary.requests > 0, sample.stable.requests > 0 {
            state.canaryShare = Double(sample.canary.requests) / Double(sample.canary.requests + sample.stable.requests)
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

    /// The verdict at the end of the window: `rollback` if anything failed; `promote` if every check that gates
    /// promotion at this step passed (statistical checks: the upper confidence bound on the regression is below
    /// the margin; the guardrail and the user checks: passing); else `inconclusive`, with
    /// ``Decision/remainingIntervals`` when every check still short is on course.
    ///
    /// `scheduledShare` is the canary's share the step set (its weight): which tests gate promotion is decided from
    /// the larger of it and the share observed in the latest interval, so a step whose canary got less traffic than
    /// scheduled (its route capped to the pods that serve, say) never escapes the tests planned for its weight.
    public func conclude(_ state: AnalysisState, scheduledShare: Double? = nil) -> Decision {
        decide(state, final: true, scheduledShare: scheduledShare)
    }

    /// The current decision without adding data. Mid-window (`final: false`) it is `rollback` or `continue`, never
    /// `promote`: a window is a minimum bake time.
    public func decide(_ state: AnalysisState, final: Bool, scheduledShare: Double? = nil) -> Decision {
        var checks: [Check] = []
        let plan = state.plan.upgradedForPromotion(configuration)
        let share = [scheduledShare, state.canaryShare].compactMap { $0 }.max()
        for (spec, t) in zip(plan.tests, state.tests) {
            checks.append(StatisticalCheck(spec: spec, state: t, plan: plan, rollbackTest: test,
                                           canaryShare: share, beta: configuration.beta ?? configuration.alpha, final: final).check())
        }
        checks += plan.notRun
        if let guardrail = configuration.guardrail { checks.append(guardrailCheck(guardrail, state)) }
        for c in configuration.checks { checks.append(queryCheck(c, state.queries[c.name])) }
        return DecisionSummary(checks: checks).decision(final: final)
    }
}
