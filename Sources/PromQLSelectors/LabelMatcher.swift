/// One label matcher of a vector selector, such as `namespace="team-a"` or `code!~"5.."`.
///
/// `value` is the decoded string (escapes resolved), not the source text. Two matchers are equal when their names,
/// operators and values are the same Unicode scalars, as Prometheus compares them (not Swift's canonical equivalence,
/// under which `"\u{212A}"`, the Kelvin sign, would equal `"K"`).
public struct LabelMatcher: Sendable, Equatable, CustomStringConvertible {
    /// How the label's value is compared with `value`.
    public enum Op: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public var name: String
    public var op: Op
    public var value: String

    public init(name: String, op: Op, value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    /// The equality matcher `name="value"`.
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        LabelMatcher(name: name, op: .equal, value: value)
    }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.op == rhs.op && lhs.name.unicodeScalars.elementsEqual(rhs.name.unicodeScalars)
            && lhs.value.unicodeScalars.elementsEqual(rhs.value.unicodeScalars)
    }

    /// The matcher as PromQL: `name`, the operator, and `value` as a double-quoted string literal.
    public var description: String {
        name + op.rawValue + Self.quoted(value)
    }

    /// `value` as a double-quoted PromQL string literal that decodes back to exactly `value` (see ``escaped(_:)``).
    public static func quoted(_ value: String) -> String {
        "\"" + escaped(value) + "\""
    }

    /// The content of a double-quoted PromQL string literal holding exactly `value`, so a value can never change a
    /// query's shape: backslash and double quote escaped, newline, tab and carriage return as `\n`, `\t`, `\r`,
    /// every other control character (C0, DEL, C1) and the line and paragraph separators as `\uXXXX` — only
    /// escapes PromQL's lexer accepts inside double quotes.
    public static func escaped(_ value: String) -> String {
        var literal = ""
        literal.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": literal += "\\\\"
            case "\"": literal += "\\\""
            case "\n": literal += "\\n"
            case "\t": literal += "\\t"
            case "\r": literal += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                literal += "\\u" + hexDigits(scalar.value, width: 4).lowercased()
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal
    }

    /// Whether `name` is a label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isLabelStart else { return false }
        return name.utf8.allSatisfy(\.isLabelCharacter)
    }
}
