import CanaryAnalysis
import Foundation

/// Numbers and rates are written as the analysis library writes them in check reasons.
func formatNumber(_ x: Double) -> String { AnalysisFormat.number(x) }

/// A rate as a percentage with two decimals, or `n/a`.
func formatPercent(_ x: Double?) -> String { AnalysisFormat.percent(x) }

/// A whole number with thousands separators: `1,234,567`.
func formatCount(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
