import CanaryAnalysis

/// Receives the progress of an analysis (replay or live) and prints it.
public protocol AnalysisReporter {
    /// The plan is fixed; `note` says what limited it (for example a baseline with no data).
    func started(plan: AnalysisPlan, note: String?)
    /// The decision after canary interval `interval`; `note` says why an interval had no data.
    func observed(interval: Int, decision: Decision, note: String?)
    /// The analysis ended at `interval`: with the window's final verdict (`isFinal`), or stopped at a rollback.
    func finished(interval: Int, decision: Decision, isFinal: Bool)
}

/// Makes the reporter for an output format.
func makeReporter(output: OutputFormat?, console: Console) -> any AnalysisReporter {
    switch output {
    case .json: JSONLinesReporter(console: console)
    case .yaml, nil: HumanReporter(console: console)
    }
}
