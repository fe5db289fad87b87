import Foundation

/// How the analysis writes numbers in check reasons, without `String(format:)` (which made
/// building a decision of 100 checks cost a millisecond). Public so front ends print the same way.
public enum AnalysisFormat {
    /// Up to four significant digits, no trailing zeros; scientific from a million up:
    /// `3`, `0.25`, `12.84`, `9776`, `8.011e+09`.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : "-∞" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if x == x.rounded(), magnitude < 1e6 { return String(Int64(x)) }
        let exponent = Int(log10(magnitude).rounded(.down))
        if exponent >= 6 || exponent < -4 {
            let mantissa = x / pow(10, Double(exponent))
            let sign = exponent < 0 ? "-" : "+"
            let e = abs(exponent)
            return fixed(mantissa, decimals: 3) + "e" + sign + (e < 10 ? "0" : "") + String(e)
        }
        return fixed(x, decimals: max(0, 3 - exponent))
    }

    /// A rate as a percentage with two decimals (`1.26%`), or `n/a`.
    public static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "n/a" }
        return fixed(x * 100, decimals: 2, keepZeros: true) + "%"
    }

    /// A count with thousands separators: `34,400`.
    public static func count(_ n: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var i = buffer.count
            var m = n.magnitude
            var written = 0
            repeat {
                if written > 0, written % 3 == 0 { i -= 1; buffer[i] = UInt8(ascii: ",") }
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                written += 1
            } while m > 0
            if n < 0 { i -= 1; buffer[i] = UInt8(ascii: "-") }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }

    /// A ratio as `1.7×` (up to two decimals).
    public static func ratio(_ x: Double) -> String {
        x.isFinite ? fixed(x, decimals: 2) + "×" : "∞×"
    }

    /// A difference of rates in percentage points: `+0.36 pp`.
    public static func points(_ x: Double) -> String {
        (x < 0 ? "-" : "+") + fixed(abs(x) * 100, decimals: 2) + " pp"
    }

    /// A confidence as `99%`, `99.9%` (up to two decimals).
    public static func confidence(_ x: Double) -> String {
        fixed(x * 100, decimals: 2) + "%"
    }

    /// Seconds as `250ms` below one second, else `1.5s`.
    public static func seconds(_ s: Double) -> String {
        s < 1 ? number(s * 1000) + "ms" : number(s) + "s"
    }

    /// A quantile as `p99`, `p999`, `p50`, `p90`.
    public static func quantile(_ q: Double) -> String {
        var digits = fixed(q, decimals: 6, keepZeros: true).dropFirst(2)  // "0.990000" → "990000"
        while digits.count > 2, digits.hasSuffix("0") { digits = digits.dropLast() }
        return "p" + digits
    }

    /// `x` with `decimals` digits after the point, by integer arithmetic.
    static func fixed(_ x: Double, decimals: Int, keepZeros: Bool = false) -> String {
        let scale = pow(10, Double(decimals))
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e18 else { return String(x) }
        var units = UInt64(scaled)
        let negative = x < 0 && units > 0
        // Digits from the last into a stack buffer: the fraction (dropping trailing zeros unless kept), the point,
        // the whole part, the sign.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var i = buffer.count
            var fractionDigits = min(decimals, 18)
            var significant = keepZeros
            while fractionDigits > 0 {
                let d = UInt8(units % 10)
                units /= 10
                fractionDigits -= 1
                if d != 0 { significant = true }
                if significant { i -= 1; buffer[i] = UInt8(ascii: "0") + d }
            }
            if i < buffer.count { i -= 1; buffer[i] = UInt8(ascii: ".") }
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(units % 10)
                units /= 10
            } while units > 0
            if negative { i -= 1; buffer[i] = UInt8(ascii: "-") }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }
}

func formatNumber(_ x: Double) -> String { AnalysisFormat.number(x) }
func formatPercent(_ x: Double?) -> String { AnalysisFormat.percent(x) }
func formatSeconds(_ s: Double) -> String { AnalysisFormat.seconds(s) }
func formatQuantile(_ q: Double) -> String { AnalysisFormat.quantile(q) }
