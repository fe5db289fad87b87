import Testing

@testable import PromQLSelectors

@Suite("Syntax errors")
struct SyntaxErrorTests {
    @Test(arguments: [
        (#"up{job="a}"#, "unterminated string starting at column 8"),
        ("rate(x[5m]) + y{job='a", "unterminated string starting at column 21"),
        ("x{a=`abc}", "unterminated string starting at column 5"),
        ("x{a=\"line\nbreak\"}", "unterminated string starting at column 5"),
        (#"x{a="\"#, "unterminated string starting at column 5"),
    ])
    func unterminatedStrings(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        (#"x{a="\q"}"#, #"unknown escape sequence "\q" at column 6"#),
        (#"x{a='\"'}"#, #"unknown escape sequence "\"" at column 6"#),
        (#"x{a="\'"}"#, #"unknown escape sequence "\'" at column 6"#),
        (#"x{a="\x4"}"#, #"escape "\x" at column 6 needs 2 hexadecimal digits"#),
        (#"x{a="\u00e"}"#, #"escape "\u" at column 6 needs 4 hexadecimal digits"#),
        (#"x{a="\18"}"#, #"escape "\1" at column 6 needs 3 octal digits"#),
        (#"x{a="\400"}"#, #"octal escape "\400" at column 6 is above \377"#),
        (#"x{a="\ud800"}"#, #"escape "\ud800" at column 6 is not a Unicode scalar value"#),
        (#"x{a="\U00110000"}"#, #"escape "\U00110000" at column 6 is not a Unicode scalar value"#),
        (#"x{a="\xff"}"#, "the escapes in the string starting at column 5 do not decode to UTF-8"),
    ])
    func badEscapes(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        ("sum(rate(x[5m])", #"unclosed "(" opened at column 4"#),
        ("x)", #"unexpected ")" without a matching "(" at column 2"#),
        ("x}", #"unexpected "}" without a matching "{" at column 2"#),
        ("x]", #"unexpected "]" without a matching "[" at column 2"#),
        (#"x{a="b""#, #"unclosed "{" opened at column 2"#),
        ("x[5m", #"unclosed "[" opened at column 2"#),
        ("rate(x[5m)", #"unexpected character ")" inside brackets at column 10"#),
        (#"x{{a="b"}}"#, #"unexpected "{" inside braces at column 3"#),
        ("x[[5m]]", #"unexpected "[" inside brackets at column 3"#),
        ("(x", #"unclosed "(" opened at column 1"#),
        ("(x y)", #"unexpected "y" at column 4; expected an operator, "," or ")""#),
    ])
    func unbalanced(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        ("x $ y", #"unexpected character "$" at column 3"#),
        ("x ! y", #"unexpected character "!" at column 3"#),
        ("x\u{7}", "unexpected character U+0007 at column 2"),
        ("x + é", #"unexpected character "é" at column 5"#),
        (#"x{a="b" $}"#, #"unexpected character "$" inside braces at column 9"#),
        (#"x{a:b="c"}"#, #"unexpected character ":" inside braces at column 4"#),
        (#"x{a!"b"}"#, #"unexpected character "!" inside braces at column 4"#),
        ("x[5m@]", #"unexpected character "@" inside brackets at column 5"#),
    ])
    func unknownCharacters(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        (#"up{job "a"}"#, #"expected a label matcher operator after "job" at column 8, found the string "a""#),
        (#"up{job}"#, #"expected a label matcher operator after "job" at column 7, found "}""#),
        (#"x{="b"}"#, #"expected a label name or "}" at column 3, found "=""#),
        (#"x{,}"#, #"expected a label name or "}" at column 3, found ",""#),
        ("x{a=b}", #"expected a string after "a=" at column 5, found "b""#),
        (#"x{a="b" c="d"}"#, #"expected "," or "}" after a label matcher at column 9, found "c""#),
        (#"x{a="b",,}"#, #"expected a label name or "}" at column 9, found ",""#),
        ("{}", "the selector at column 1 needs a metric name or at least one label matcher"),
        ("sum({ })", "the selector at column 5 needs a metric name or at least one label matcher"),
        (#"x{a="b"}{c="d"}"#, #"unexpected "{" at column 9; expected an operator or the end"#),
    ])
    func badSelectors(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        ("", "the query is empty"),
        ("  # only a comment\n", "the query is empty"),
        ("x + ", "expected an expression at column 5, found the end of the query"),
        ("sum(x,)", #"expected an expression at column 7, found ")""#),
        ("sum()", #"expected an expression at column 5, found ")""#),
        ("sum by (job)", #"expected "(" and the arguments of "sum" at column 13, found the end of the query"#),
        ("by (job) x", #"unexpected "(" at column 4; expected an operator or the end"#),
        ("-on", #"unexpected keyword "on" at column 2; expected an expression"#),
        ("atan2(x, y)", #"unexpected keyword "atan2" at column 1; expected an expression"#),
        ("x > bool bool", #"unexpected keyword "bool" at column 10; expected an expression"#),
        ("a * group_left b", #"unexpected keyword "group_left" at column 5; expected an expression"#),
        ("x on(a) y", #"unexpected "on" at column 3; expected an operator or the end"#),
        ("rate(x[5m]) by (job)", #"unexpected "by" at column 13; expected an operator or the end"#),
        ("x + bool y", #""bool" at column 5 may only follow a comparison operator"#),
        ("x * on y", #"expected "(" after "on" at column 8, found "y""#),
        ("sum by (job:x) (y)", #"expected a label name in the list after "by" at column 9, found "job:x""#),
        ("sum by (a b) (y)", #"expected "," or ")" in the list after "by" at column 11, found "b""#),
        ("x =~ y", #"unexpected "=~" at column 3; expected an operator or the end"#),
        ("x = y", #"unexpected "=" at column 3; expected an operator or the end"#),
        ("job:x(y)", #""job:x" at column 1 is a metric name, not a function, and cannot be called"#),
        ("inf{a=\"b\"}", #"unexpected "{" at column 4; expected an operator or the end"#),
    ])
    func badExpressions(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test(arguments: [
        ("5m", #"unexpected duration "5m" at column 1; durations go in [ ], subqueries or after offset"#),
        ("5x", #"bad number or duration "5x" at column 1"#),
        ("1e", #"bad number or duration "1e" at column 1"#),
        ("0x", #"bad number or duration "0x" at column 1"#),
        ("x[1m30h]", #"bad number or duration "1m30h" at column 3"#),
        ("x[5]", #"expected a duration after "[" at column 3, found "5""#),
        ("x[5m:1m:]", #"expected "]" at column 8, found ":""#),
        ("x[5m 1m]", #"expected ":" or "]" at column 6, found "1m""#),
        ("x offset", #"expected a duration after "offset" at column 9, found the end of the query"#),
        ("x offset 5", #"expected a duration after "offset" at column 10, found "5""#),
        ("x @ foo", #"expected a timestamp, start() or end() after "@" at column 5, found "foo""#),
        ("x @ -start()", #"expected a timestamp, start() or end() after "@" at column 6, found "start""#),
    ])
    func badNumbersAndDurations(query: String, message: String) {
        #expect(syntaxError(query) == message)
    }

    @Test func positionsOnLaterLines() {
        #expect(syntaxError("sum(\n  rate(x[5m])\n  by (job)\n)") == #"unexpected "by" at line 3, column 3; expected an operator, "," or ")""#)
        let error = #expect(throws: PromQLSyntaxError.self) { try PromQLSelectors.selectors(in: "x +\n  y{a=\"b") }
        #expect(error?.position == SourcePosition(offset: 10, line: 2, column: 7))
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "(", count: 129) + "x" + String(repeating: ")", count: 129)
        #expect(syntaxError(deep) == "the query nests more than 128 levels deep at column 129")
        let fine = String(repeating: "(", count: 100) + "x" + String(repeating: ")", count: 100)
        #expect(try confine(fine) == String(repeating: "(", count: 100) + #"x{namespace="team-a"}"# + String(repeating: ")", count: 100))
    }

    @Test func enforcementReportsSyntaxErrors() {
        #expect(enforcementError("sum(x") == .syntax(PromQLSyntaxError(message: #"unclosed "(" opened at column 4"#, position: SourcePosition(offset: 3, line: 1, column: 4))))
    }
}
