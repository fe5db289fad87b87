import CanaryAnalysis

/// The report's section on which tests gate promotion, and from which step, for each healthy service of the default
/// steps: the plan fixed from one run's 10-minute baseline.
extension Report {
    /// The plan of the first run of a scenario (same seed as the run), fixed on the scenario's schedule.
    func samplePlan(_ scenario: Scenario) -> AnalysisPlan {
        let model = TrafficModel(scenario: scenario, canaryShare: scenario.schedule.windows[0].canaryShare)
        var rng = Xoshiro256StarStar(seed: Runner.seed(scenario, run: 0))
        return AnalysisPlan(configuration: JudgeKind.fledgeConfiguration(for: scenario), baseline: model.baseline(&rng))
    }

    /// Whether the service-level test a margin case regresses gates promotion at the last step of its schedule.
    func gatesPromotion(_ scenario: Scenario) -> Bool {
        let metric: CheckMetric = scenario.canaryLatency == LatencyModel() ? .errorRate : .latency
        let last = scenario.schedule.windows.last?.canaryShare
        return samplePlan(scenario).tests.contains { $0.route == nil && $0.metric == metric && $0.gatesPromotion(atShare: last) }
    }

    func plansSection() -> [String] {
        var lines = [
            "## Which tests gate promotion, from which step",
            "",
            "Fixed when the analysis starts, from stable's 10-minute baseline and the default steps (the first run's plan "
                + "of each healthy case; per-route tests summarised). A test gates promotion from the first step by whose "
                + "default window end a canary as good as stable is expected to have settled its bound in about 19 runs "
                + "in 20; one that would not settle by the last step gates rollback only.",
            "",
            "| case | traffic | test | margin | gates promotion |",
            "|---|---|---|---:|---|",
        ]
        for (scenario, _) in family(.defaultSteps) where scenario.healthy {
            let plan = samplePlan(scenario)
            var routeGates: [String: Int] = [:]
            for test in plan.tests {
                let gate: String
                if let why = test.rollbackOnly {
                    gate = "rollback only: " + why.replacingOccurrences(of: "; gates rollback only", with: "")
                } else if let from = test.gatesFromShare {
                    gate = "from the \(Int((from * 100).rounded()))% step"
                } else {
                    gate = "every step"
                }
                if test.route != nil {
                    let kind = test.metric == .latency ? "route latency" : "route error rate"
                    let short = gate.hasPrefix("rollback only") ? "rollback only" : gate
                    routeGates["\(kind): \(short)", default: 0] += 1
                    continue
                }
                let margin = test.margin.map { AnalysisFormat.ratio($0) } ?? "—"
                lines.append("| \(scenario.name) | \(scenario.rateLabel) | \(test.name) | \(margin) | \(gate) |")
            }
            if !routeGates.isEmpty {
                let summary = routeGates.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: "; ")
                lines.append("| \(scenario.name) | \(scenario.rateLabel) | per-route tests | | \(summary) |")
            }
        }
        lines.append("")
        return lines
    }
}
