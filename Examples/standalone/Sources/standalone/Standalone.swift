import CanaryAnalysis

/// Judges two intervals of a canary that fails 5% of requests against a 1% stable and prints the verdict.
@main
struct Standalone {
    static func main() {
        var configuration = AnalysisConfiguration()
        configuration.latencyQuantiles = []
        let analyzer = CanaryAnalyzer(configuration: configuration)
        var state = analyzer.start(baseline: Baseline(stable: TrackCounts(requests: 10_000, errors: 100)))
        let sample = TrafficSample(stable: TrackCounts(requests: 19_000, errors: 190),
                                   canary: TrackCounts(requests: 1_000, errors: 50))
        let decision = analyzer.observe(sample, state: &state)
        print("decision: \(decision.outcome.rawValue)")
        for check in decision.checks { print("  \(check.name): \(check.verdict.rawValue) — \(check.reason)") }
    }
}
