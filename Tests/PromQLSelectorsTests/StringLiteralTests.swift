import Testing

@testable import PromQLSelectors

@Suite("String literals")
struct StringLiteralTests {
    private func value(_ literal: String) throws -> String? {
        try PromQLSelectors.selectors(in: "x{a=\(literal)}").first?.matchers.first?.value
    }

    @Test(arguments: [
        (#""te\u0061m-a""#, "team-a"),
        (#""\x41\101\u00e9\U0001F600""#, "AA\u{E9}\u{1F600}"),
        (#""\a\b\f\n\r\t\v\\\"""#, "\u{7}\u{8}\u{C}\n\r\t\u{B}\\\""),
        (#"'it\'s "quoted"'"#, #"it's "quoted""#),
        (#""\303\251""#, "\u{E9}"),
        (#""\xc3\xa9""#, "\u{E9}"),
        ("`raw \\n \\ \" ' {}`", #"raw \n \ " ' {}"#),
        ("`two\nlines`", "two\nlines"),
        ("`carriage\r\nreturn`", "carriage\r\nreturn"),
        (#""""#, ""),
        (##""# not a comment {""##, "# not a comment {"),
        ("\"caf\u{E9} \u{1F600}\"", "caf\u{E9} \u{1F600}"),
    ])
    func decoding(literal: String, expected: String) throws {
        let decoded = try value(literal)
        #expect(decoded.map { Array($0.unicodeScalars) } == Array(expected.unicodeScalars))
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("a\"b", #""a\"b""#),
        ("back\\slash", #""back\\slash""#),
        ("new\nline\ttab\rcr", #""new\nline\ttab\rcr""#),
        ("bell\u{7}del\u{7F}", #""bell\u0007del\u007f""#),
        ("c1\u{85}line\u{2028}", #""c1\u0085line\u2028""#),
        ("caf\u{E9}", "\"caf\u{E9}\""),
    ])
    func quoting(value: String, literal: String) {
        #expect(LabelMatcher.quoted(value) == literal)
    }

    @Test func quotedValuesRoundTrip() throws {
        let values = [
            "", "team-a", "\"", "\\", "\\\"", "}", "{", "#", "'", "`", "\n\r\t", "\u{0}\u{1}\u{1F}\u{7F}", "\u{85}\u{2028}",
            "e\u{301}", "\u{212A}", "\u{1F600}", "$1", "a\\u0041",
        ]
        for value in values {
            let query = try confine("x", to: [.equal("tenant", value)])
            let matchers = try #require(PromQLSelectors.selectors(in: query).first?.matchers)
            #expect(matchers == [.equal("tenant", value)], "\(query)")
            #expect(try confine(query, to: [.equal("tenant", value)]) == query)
        }
    }

    @Test func matcherEqualityIsExact() {
        #expect(LabelMatcher.equal("a", "\u{212A}") != .equal("a", "K"))
        #expect(LabelMatcher.equal("a", "\u{E9}") != .equal("a", "e\u{301}"))
        #expect(LabelMatcher.equal("a", "b") == LabelMatcher(name: "a", op: .equal, value: "b"))
        #expect(LabelMatcher.equal("a", "b") != LabelMatcher(name: "a", op: .notEqual, value: "b"))
    }

    @Test func labelNames() {
        #expect(LabelMatcher.isValidLabelName("_a1"))
        #expect(LabelMatcher.isValidLabelName("namespace"))
        #expect(!LabelMatcher.isValidLabelName(""))
        #expect(!LabelMatcher.isValidLabelName("a:b"))
        #expect(!LabelMatcher.isValidLabelName("9a"))
        #expect(!LabelMatcher.isValidLabelName("na\u{EF}ve"))
    }
}
