import Foundation
import PromQLSelectors

/// Builds PromQL text. Every value that ends up inside a PromQL string literal goes through
/// ``escape(_:)``, so a service name, namespace or version can never change the query's shape.
/// Label and metric names come from configuration and are checked by ``isLabelName(_:)`` and
/// ``isMetricName(_:)`` before use; regex matchers are never built from user values.
enum PromQL {
    /// The content of a double-quoted PromQL string literal holding `value` (without the quotes).
    ///
    /// Backslash and double quote are escaped, and so is every control character (newline, tab,
    /// NUL, …), using only escapes PromQL's lexer accepts inside double quotes.
    static func escape(_ value: String) -> String { LabelMatcher.escaped(value) }

    /// A complete double-quoted string literal holding `value`.
    static func literal(_ value: String) -> String { "\"" + escape(value) + "\"" }

    /// An equality matcher `name="value"`. `name` must have passed ``isLabelName(_:)``.
    static func equals(_ name: String, _ value: String) -> String { name + "=" + literal(value) }

    /// `metric{m1,m2,…}`.
    static func selector(_ metric: String, _ matchers: [String]) -> String {
        metric + "{" + matchers.joined(separator: ",") + "}"
    }

    /// A range selector over `milliseconds`, e.g. `metric{…}[65000ms]`.
    static func range(_ selector: String, milliseconds: Int64) -> String {
        selector + "[\(max(1, milliseconds))ms]"
    }

    /// Replaces each `{{name}}` whose name is a key of `values` with the escaped value (see ``PromQLTemplate``).
    static func substitute(_ query: String, _ values: [String: String]) -> String {
        PromQLTemplate.substitute(query, values, escape: escape)
    }

    /// The placeholder names used in `query` (those `substitute` would replace given a value).
    static func placeholders(in query: String) -> Set<String> { PromQLTemplate.placeholders(in: query) }

    /// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLabelName(_ name: String) -> Bool { LabelMatcher.isValidLabelName(name) }

    /// A Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first) || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
    }

    private static func isLetterOrUnderscore(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
