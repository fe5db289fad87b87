import Foundation

/// A query written with `{{name}}` placeholders (a check's query: `{{version}}`, `{{track}}`, …), filled in before
/// it is sent. The values are escaped for a PromQL string literal by the caller's `escape`.
public enum PromQLTemplate {
    /// Replaces each `{{name}}` (spaces inside the braces allowed) whose name is a key of `values`
    /// with the escaped value. One pass: a substituted value is never scanned again, and unknown
    /// placeholders are left as they are.
    public static func substitute(_ query: String, _ values: [String: String], escape: (String) -> String) -> String {
        var out = ""
        var rest = query[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let value = values[name] {
                out += escape(value)
                rest = afterOpen[close.upperBound...]
            } else {
                out += "{{"
                rest = afterOpen
            }
        }
        out += rest
        return out
    }

    /// The placeholder names used in `query` (those `substitute` would replace given a value).
    public static func placeholders(in query: String) -> Set<String> {
        var names = Set<String>()
        var rest = query[...]
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else { break }
            names.insert(afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = afterOpen[close.upperBound...]
        }
        return names
    }

    /// `query` with every placeholder filled with the same plain `value`: the shape the query will have once filled,
    /// for checking it before any real value is known.
    public static func filled(_ query: String, with value: String = "placeholder") -> String {
        substitute(query, Dictionary(uniqueKeysWithValues: placeholders(in: query).map { ($0, value) }), escape: { $0 })
    }
}
