import CanaryAnalysis
import Foundation

/// `-o json`: one compact JSON object per line, one per canary interval
/// (`{"interval":k,"decision":"continue","checks":[...]}`), then, unless the analysis stopped at
/// a rollback, the final verdict (`{"interval":k,"final":true,"decision":"promote","checks":[...]}`).
public struct JSONLinesReporter: AnalysisReporter {
    public var console: Console

    public init(console: Console) {
        self.console = console
    }

    public func started(plan: AnalysisPlan, note: String?) {}

    public func observed(interval: Int, decision: Decision, note: String?) {
        console.print(Self.line(interval: interval, decision: decision, final: false))
    }

    public func finished(interval: Int, decision: Decision, isFinal: Bool) {
        guard isFinal else { return }
        console.print(Self.line(interval: interval, decision: decision, final: true))
    }

    /// One output line.
    public static func line(interval: Int, decision: Decision, final: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        let checks = (try? encoder.encode(decision.checks)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let finalKey = final ? "\"final\":true," : ""
        return "{\"interval\":\(interval),\(finalKey)\"decision\":\"\(decision.outcome.rawValue)\",\"checks\":\(checks)}"
    }
}
