@testable import FledgeCLI
import Testing

@Suite("Strict JSON parser")
struct StrictJSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try StrictJSONParser.parse(#" {"a": [1, -2, 0.5, 1e3, -0, true, false, null, "x\"\\\/\n\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(value == .object([
            "a": .array([.integer(1), .integer(-2), .number(0.5), .number(1000), .integer(0), .bool(true), .bool(false), .null,
                         .string("x\"\\/\né😀")]),
            "b": .object([:]),
        ]))
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "duplicate key \"a\" at column 8"),
        (#"{"a":1} x"#, "unexpected text after the JSON value at column 9"),
        (#"{"a":01}"#, "leading zero in a number at column 6"),
        (#"{"a":1.}"#, "digits expected after '.'"),
        (#"{"a":+1}"#, "unexpected '+', expected a JSON value at column 6"),
        (#"{"a":NaN}"#, "unexpected 'N', expected a JSON value"),
        (#"{"a":tru}"#, "invalid literal, expected true"),
        (#"{'a':1}"#, "unexpected ''', expected a key in double quotes at column 2"),
        (#"{"a":1,}"#, "expected a key in double quotes"),
        (#"[1,2"#, "unexpected end of line, expected ',' or ']'"),
        (#"{"a":"\x"}"#, "invalid escape '\\x'"),
        (#"{"a":"\ud800"}"#, "unpaired surrogate"),
        (#"{"a":"x"#, "unterminated string"),
        ("", "unexpected end of line, expected a JSON value"),
        (String(repeating: "[", count: 100), "nested too deeply"),
    ])
    func rejects(_ text: String, _ message: String) {
        #expect(throws: StrictJSONParser.SyntaxError.self) { try StrictJSONParser.parse(text) }
        do {
            _ = try StrictJSONParser.parse(text)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func hugeWholeNumbersBecomeFloatingPoint() throws {
        #expect(try StrictJSONParser.parse("100000000000000000000") == .number(1e20))
        #expect(throws: StrictJSONParser.SyntaxError.self) { try StrictJSONParser.parse("1e999") }
    }
}
