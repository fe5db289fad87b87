import Foundation

/// A number for people: whole below a million when at least 100, else three significant digits
/// without trailing zeros: `3`, `0.25`, `12.8`, `9776`, `2.84e+29`.
func formatNumber(_ x: Double) -> String {
    if x == .infinity { return "∞" }
    if x.isNaN { return "NaN" }
    if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
    if abs(x) >= 100 && abs(x) < 1e6 { return String(Int(x.rounded())) }
    var s = String(format: "%.3g", x)
    if s.contains("e") { return s }
    while s.contains("."), s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}

/// A rate as a percentage with two decimals, or `n/a`.
func formatPercent(_ x: Double?) -> String {
    guard let x else { return "n/a" }
    return String(format: "%.2f%%", x * 100)
}

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
