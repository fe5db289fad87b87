@testable import CanaryAnalysisPrometheus
import Testing

@Suite("PromQL escaping and placeholders")
struct PromQLTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(PromQL.escape(#"plain-1.0"#) == "plain-1.0")
        #expect(PromQL.escape(#"a"b"#) == #"a\"b"#)
        #expect(PromQL.escape(#"a\b"#) == #"a\\b"#)
        #expect(PromQL.escape("a\nb\r\tc") == #"a\nb\r\tc"#)
        #expect(PromQL.escape("nul\u{0}bell\u{7}del\u{7F}") == #"nul\u0000bell\u0007del\u007f"#)
        #expect(PromQL.escape("ünïcødé ✓") == "ünïcødé ✓")
        #expect(PromQL.literal(#"\""#) == #""\\\"""#)
    }

    @Test func injectionAttemptStaysOneLiteral() {
        let attack = #"v1"} or vector(1) or up{a=""#
        let matcher = PromQL.equals("service_version", attack)
        #expect(matcher == #"service_version="v1\"} or vector(1) or up{a=\"""#)
        // Read the literal back the way PromQL's lexer does: it ends at the first unescaped quote,
        // which must be the very last character.
        let literal = matcher.dropFirst("service_version=".count)
        #expect(Self.endOfLiteral(String(literal)) == literal.count - 1)
        #expect(Self.unescape(String(literal)) == attack)
    }

    @Test func backslashBeforeQuoteCannotCloseTheLiteral() {
        for value in [#"\"#, #"\\"#, #"a\"#, #"\" or vector(1) #"#, "line\n\"x", #"\\\""#] {
            let literal = PromQL.literal(value)
            #expect(Self.endOfLiteral(literal) == literal.count - 1, "value \(value)")
            #expect(Self.unescape(literal) == value)
        }
    }

    @Test func selectorsAndRanges() {
        let selector = PromQL.selector("m_count", [PromQL.equals("service_name", "shop"), PromQL.equals("deployment_track", "canary")])
        #expect(selector == #"m_count{service_name="shop",deployment_track="canary"}"#)
        #expect(PromQL.range(selector, milliseconds: 65_000) == selector + "[65000ms]")
    }

    @Test func substitutesPlaceholdersWithEscapedValues() {
        let query = #"sum(rate(orders_total{service_name="{{service}}",deployment_track="{{ track }}",service_version="{{version}}"}[5m]))"#
        let out = PromQL.substitute(query, ["service": "shop", "track": "canary", "version": #"2.0"} or vector(1) #"#])
        #expect(out == #"sum(rate(orders_total{service_name="shop",deployment_track="canary",service_version="2.0\"} or vector(1) #"}[5m]))"#)
    }

    @Test func substitutionIsOnePassAndLeavesUnknownPlaceholders() {
        // A value containing a placeholder is not substituted again.
        let out = PromQL.substitute(#"a{x="{{service}}",y="{{track}}",z="{{other}}"} {{"#, ["service": "{{track}}", "track": "stable"])
        #expect(out == #"a{x="{{track}}",y="stable",z="{{other}}"} {{"#)
        #expect(PromQL.placeholders(in: "{{a}} {{ b }} {{c") == ["a", "b"])
    }

    @Test func validatesNames() {
        #expect(PromQL.isLabelName("http_route"))
        #expect(PromQL.isLabelName("_x1"))
        #expect(!PromQL.isLabelName("1x"))
        #expect(!PromQL.isLabelName("a-b"))
        #expect(!PromQL.isLabelName(""))
        #expect(!PromQL.isLabelName(#"a"}"#))
        #expect(PromQL.isMetricName("ns:http_server_request_duration_seconds"))
        #expect(!PromQL.isMetricName("a{b}"))
    }

    /// Index of the closing quote of a double-quoted literal starting at index 0, lexing as PromQL does.
    static func endOfLiteral(_ literal: String) -> Int? {
        let chars = Array(literal)
        guard chars.first == "\"" else { return nil }
        var i = 1
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "\"" { return i }
            if chars[i] == "\n" { return nil }
            i += 1
        }
        return nil
    }

    /// The value of a double-quoted literal (only the escapes ``PromQL/escape(_:)`` produces).
    static func unescape(_ literal: String) -> String? {
        let chars = Array(literal.dropFirst().dropLast())
        var out = ""
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" {
                guard i + 1 < chars.count else { return nil }
                switch chars[i + 1] {
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard i + 5 < chars.count, let v = UInt32(String(chars[(i + 2)...(i + 5)]), radix: 16),
                          let scalar = Unicode.Scalar(v) else { return nil }
                    out.unicodeScalars.append(scalar)
                    i += 6
                    continue
                default: return nil
                }
                i += 2
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }
}
