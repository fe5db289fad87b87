import ArgumentParser
import CanaryAnalysis

/// The analysis settings on the command line; they mirror ``AnalysisConfiguration``.
public struct AnalysisOptions: ParsableArguments {
    private static let defaults = AnalysisConfiguration()

    @Option(help: "Overall false-rollback budget α, split across the statistical tests.")
    public var alpha: Double = defaults.alpha

    @Option(help: ArgumentHelp(
        "Latency quantiles tested, comma-separated; thresholds come from stable's baseline histogram. 'none' for no latency tests.",
        valueName: "list"))
    public var quantiles: String = defaults.latencyQuantiles.map { "\($0)" }.joined(separator: ",")

    @Flag(name: .customLong("per-route"), help: "Also test each route (http.route) separately.")
    public var perRoute = false

    @Option(help: "Test at most this many routes, the busiest in stable's baseline.")
    public var maxRoutes: Int = defaults.maxRoutes

    @Option(help: "False-promotion budget β (default: α), split across the tests that gate promotion.")
    public var beta: Double?

    @Option(help: ArgumentHelp("Promote only when the canary's error rate is at most this many times stable's (or --max-error-increase above it, whichever is larger).", valueName: "ratio"))
    public var maxErrorRatio: Double = defaults.margin.errorRatio

    @Option(help: ArgumentHelp("Promote only when the canary's error rate is at most this much above stable's, as a fraction (0.005 = 0.5 pp), when larger than --max-error-ratio.", valueName: "fraction"))
    public var maxErrorIncrease: Double = defaults.margin.errorIncrease

    @Option(help: ArgumentHelp("Promote only when the canary's share of requests over a latency threshold is at most this many times stable's.", valueName: "ratio"))
    public var maxLatencyRatio: Double = defaults.margin.latencyRatio

    @Option(help: ArgumentHelp(
        "Guardrail: roll back at once when the canary fails at least this share of its requests (default: \(defaults.guardrail?.maxErrorRate ?? 0)).",
        valueName: "rate"))
    public var maxErrorRate: Double?

    @Option(help: ArgumentHelp(
        "Guardrail: canary requests needed before it may trip (default: \(defaults.guardrail?.minRequests ?? 0)).",
        valueName: "n"))
    public var guardrailMinRequests: Int?

    @Flag(help: "Turn the absolute error-rate guardrail off.")
    public var noGuardrail = false

    public init() {}

    /// The configuration, or a usage error listing every problem.
    public func configuration() throws -> AnalysisConfiguration {
        var c = AnalysisConfiguration()
        c.alpha = alpha
        c.latencyQuantiles = try Self.parseQuantiles(quantiles)
        c.perRoute = perRoute
        c.maxRoutes = maxRoutes
        c.beta = beta
        c.margin = PromotionMargin(errorRatio: maxErrorRatio, errorIncrease: maxErrorIncrease, latencyRatio: maxLatencyRatio)
        if noGuardrail {
            if maxErrorRate != nil || guardrailMinRequests != nil {
                throw ValidationError("--no-guardrail cannot be combined with --max-error-rate or --guardrail-min-requests")
            }
            c.guardrail = nil
        } else {
            var g = Guardrail()
            if let maxErrorRate { g.maxErrorRate = maxErrorRate }
            if let guardrailMinRequests { g.minRequests = guardrailMinRequests }
            c.guardrail = g
        }
        let problems = c.problems()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "; ")) }
        return c
    }

    public func validate() throws {
        _ = try configuration()
    }

    /// `0.99,0.999` → [0.99, 0.999]; `none` or an empty string → [].
    static func parseQuantiles(_ text: String) throws -> [Double] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "none" { return [] }
        return try trimmed.split(separator: ",").map { part in
            let p = part.trimmingCharacters(in: .whitespaces)
            guard let q = Double(p) else { throw ValidationError("--quantiles: '\(p)' is not a number") }
            return q
        }
    }
}
