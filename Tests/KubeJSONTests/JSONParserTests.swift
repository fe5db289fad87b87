import Foundation
import KubeJSON
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2, 0.5, 1e3, -0, true, false, null, "x\"\\\/\n\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2), .number(0.5), .number(1000), .number(0), .bool(true), .bool(false), .null,
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
        (#"[1,2"#, "unexpected end of input, expected ',' or ']'"),
        (#"{"a":"\x"}"#, "invalid escape '\\x'"),
        (#"{"a":"\ud800"}"#, "unpaired surrogate"),
        (#"{"a":"x"#, "unterminated string"),
        ("", "unexpected end of input, expected a JSON value"),
        (String(repeating: "[", count: 100), "nested too deeply"),
    ])
    func rejects(_ text: String, _ message: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text, duplicateKeys: .reject, maxDepth: 64) }
        do {
            _ = try JSONParser.parse(text, duplicateKeys: .reject, maxDepth: 64)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func hugeWholeNumbersBecomeFloatingPoint() throws {
        #expect(try JSONParser.parse("100000000000000000000") == .number(1e20))
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("1e999") }
    }

    @Test func duplicateKeysAreRejectedOrTheLastWins() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == ["a": 2])
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(#"{"a":1,"a":2}"#, duplicateKeys: .reject) }
        // JSONValue(parsing:) goes through the same parser.
        #expect(try JSONValue(parsing: #"{"a":[1,"x",null]}"#) == ["a": [1, "x", nil]])
    }
}

/// The parser against an independent one: Foundation's `JSONDecoder` feeding `JSONValue`'s `Decodable`.
@Suite struct JSONParserAgainstFoundationTests {
    @Test(arguments: [
        #"{"a":[1,-2.5,3e2,true,false,null,"x\"y\\z\/\n\u00e9\ud83d\ude00"],"b":{}}"#, "[]", " 0 ", #""s""#, "-0.001",
    ])
    func matchesFoundation(_ text: String) throws {
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONParser.parse(text) == foundation)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\"}", "01x", "tru", "\"\u{01}\"", "1 2", "{\"a\":1,}", "-", "1."])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }
}
