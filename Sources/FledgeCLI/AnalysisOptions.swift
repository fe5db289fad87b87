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

    @Option(help: ArgumentHelp(
        "Expected canary events (at stable's rate) every test needs before it may pass; overrides the computed minimum.",
        valueName: "events"))
    public var minExposure: Double?

    @Option(help: "Power wanted against --detect-ratio before a test may pass.")
    public var power: Double = defaults.power

    @Option(help: "The regression (canary rate ÷ stable rate) the power is computed against.")
    public var detectRatio: Double = defaults.detectRatio

    @Option(help: "Stable event rates below this count as this rate when exposure is computed.")
    public var minBaseRate: Double = defaults.minBaseRate

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
        c.minExposure = minExposure
        c.power = power
        c.detectRatio = detectRatio
        c.minBaseRate = minBaseRate
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
