import Foundation
import KubeJSON

/// A parsed label selector (`app=web,tier!=db,env in (a,b),!legacy`), as in `?labelSelector=`.
public struct LabelSelector: Sendable, Equatable {
    public enum Operator: Sendable, Equatable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan
    }
    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }
    public var requirements: [Requirement]

    /// The empty selector: matches everything.
    public init() { requirements = [] }

    /// Parses the string form; throws a 400-style message on malformed input.
    public init(parsing text: String) throws(APIError) {
        requirements = []
        for part in Self.splitTopLevel(text) {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            requirements.append(try Self.parseRequirement(p))
        }
    }

    /// The selector of a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`).
    public init(object: JSONValue) throws(APIError) {
        requirements = []
        for (k, v) in (object["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(Requirement(key: k, op: .equals, values: [v.stringValue ?? ""]))
        }
        for e in object["matchExpressions"]?.arrayValue ?? [] {
            let key = e["key"]?.stringValue ?? ""
            let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            let op: Operator
            switch e["operator"]?.stringValue ?? "" {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case let other: throw .badRequest("\"\(other)\" is not a valid label selector operator")
            }
            requirements.append(Requirement(key: key, op: op, values: values))
        }
    }

    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether a set of labels satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let value = labels[r.key]
            switch r.op {
            case .equals: return value == r.values.first
            case .notEquals: return value != r.values.first
            case .in: return value.map { r.values.contains($0) } ?? false
            case .notIn: return value.map { !r.values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan: return value.flatMap { Int($0) }.map { $0 > Int(r.values[0])! } ?? false
            case .lessThan: return value.flatMap { Int($0) }.map { $0 < Int(r.values[0])! } ?? false
            }
        }
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    public func matches(object: JSONValue) -> Bool {
        matches(Self.labels(of: object))
    }

    static func labels(of object: JSONValue) -> [String: String] {
        (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    /// The string form, as a Scale's `status.selector` shows it.
    public var description: String {
        requirements.map { r in
            switch r.op {
            case .equals: "\(r.key)=\(r.values.first ?? "")"
            case .notEquals: "\(r.key)!=\(r.values.first ?? "")"
            case .in: "\(r.key) in (\(r.values.sorted().joined(separator: ",")))"
            case .notIn: "\(r.key) notin (\(r.values.sorted().joined(separator: ",")))"
            case .exists: r.key
            case .doesNotExist: "!\(r.key)"
            case .greaterThan: "\(r.key)>\(r.values[0])"
            case .lessThan: "\(r.key)<\(r.values[0])"
            }
        }.joined(separator: ",")
    }

    // MARK: Parsing

    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts
    }

    static func parseRequirement(_ p: String) throws(APIError) -> Requirement {
        if p.hasPrefix("!") {
            let key = String(p.dropFirst()).trimmingCharacters(in: .whitespaces)
            try validateKey(key, p)
            return Requirement(key: key, op: .doesNotExist, values: [])
        }
        for (token, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals), (">", .greaterThan), ("<", .lessThan)] {
            if let range = p.range(of: token) {
                let key = p[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = p[range.upperBound...].trimmingCharacters(in: .whitespaces)
                try validateKey(key, p)
                try validateValue(value, p)
                if op == .greaterThan || op == .lessThan, Int(value) == nil {
                    throw .badRequest("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer")
                }
                return Requirement(key: key, op: op, values: [value])
            }
        }
        let words = p.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if words.count >= 2, words[1] == "in" || words[1] == "notin" || words[1].hasPrefix("in(") || words[1].hasPrefix("notin(") {
            let key = words[0]
            try validateKey(key, p)
            let rest = p.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            let isNot = rest.hasPrefix("notin")
            let setText = rest.dropFirst(isNot ? 5 : 2).trimmingCharacters(in: .whitespaces)
            guard setText.hasPrefix("("), setText.hasSuffix(")") else {
                throw .badRequest("unable to parse requirement: found '\(setText)', expected: '('")
            }
            let values = setText.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for v in values { try validateValue(v, p) }
            return Requirement(key: key, op: isNot ? .notIn : .in, values: values)
        }
        try validateKey(p, p)
        return Requirement(key: p, op: .exists, values: [])
    }

    static func validateKey(_ key: String, _ whole: String) throws(APIError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
        if key.isEmpty || !key.allSatisfy({ allowed.contains($0) }) {
            throw .badRequest("unable to parse requirement: invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func validateValue(_ value: String, _ whole: String) throws(APIError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        if value.count > 63 || !value.allSatisfy({ allowed.contains($0) }) {
            throw .badRequest("unable to parse requirement: invalid label value: \"\(value)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`): equality on dotted paths.
public struct FieldSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var path: [String]
        public var value: String
        public var negated: Bool
    }
    public var requirements: [Requirement] = []

    public init(parsing text: String) throws(APIError) {
        for part in text.split(separator: ",") {
            let p = String(part)
            var negated = false
            let range: Range<String.Index>
            if let r = p.range(of: "!=") { range = r; negated = true }
            else if let r = p.range(of: "==") { range = r }
            else if let r = p.range(of: "=") { range = r }
            else { throw .badRequest("invalid selector: '\(text)'; can't understand '\(p)'") }
            let path = p[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = p[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if path.isEmpty { throw .badRequest("invalid selector: '\(text)'; can't understand '\(p)'") }
            requirements.append(Requirement(path: path.split(separator: ".").map(String.init), value: value, negated: negated))
        }
    }

    public func matches(object: JSONValue) -> Bool {
        requirements.allSatisfy { r in
            let actual: String
            switch object[path: r.path] {
            case .string(let s): actual = s
            case .number(let n) where n == n.rounded(): actual = String(Int(n))
            case .bool(let b): actual = b ? "true" : "false"
            default: actual = ""
            }
            return (actual == r.value) != r.negated
        }
    }
}
