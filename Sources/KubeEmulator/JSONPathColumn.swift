import Foundation
import KubeJSON

/// The JSONPath subset printer columns use: `.a.b`, `.a[0].b`, `.a[*].b`, `.a['x.y']`, and filters like
/// `.status.conditions[?(@.type=="Ready")].status`.
public struct JSONPathColumn: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case all
        case filter(path: [String], value: String, negated: Bool)
    }
    let steps: [Step]

    public init(_ expression: String) throws(APIError) {
        var text = expression.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("{"), text.hasSuffix("}") { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("$") { text.removeFirst() }
        var steps: [Step] = []
        var i = text.startIndex
        func fail() -> APIError { .badRequest("unsupported JSONPath: \(expression)") }
        while i < text.endIndex {
            let c = text[i]
            if c == "." {
                i = text.index(after: i)
                var key = ""
                while i < text.endIndex, text[i] != ".", text[i] != "[" { key.append(text[i]); i = text.index(after: i) }
                if !key.isEmpty { steps.append(key == "*" ? .all : .key(key)) }
            } else if c == "[" {
                guard let close = Self.matchingBracket(text, from: i) else { throw fail() }
                let inner = String(text[text.index(after: i)..<close]).trimmingCharacters(in: .whitespaces)
                i = text.index(after: close)
                if inner == "*" { steps.append(.all) }
                else if let n = Int(inner) { steps.append(.index(n)) }
                else if inner.hasPrefix("'") || inner.hasPrefix("\"") { steps.append(.key(String(inner.dropFirst().dropLast()))) }
                else if inner.hasPrefix("?(@."), inner.hasSuffix(")") {
                    let body = inner.dropFirst(4).dropLast()
                    let negated = body.contains("!=")
                    let parts = body.components(separatedBy: negated ? "!=" : "==")
                    guard parts.count == 2 else { throw fail() }
                    var value = parts[1].trimmingCharacters(in: .whitespaces)
                    if value.hasPrefix("\"") || value.hasPrefix("'") { value = String(value.dropFirst().dropLast()) }
                    let path = parts[0].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
                    steps.append(.filter(path: path, value: value, negated: negated))
                } else { throw fail() }
            } else {
                var key = ""
                while i < text.endIndex, text[i] != ".", text[i] != "[" { key.append(text[i]); i = text.index(after: i) }
                steps.append(.key(key))
            }
        }
        self.steps = steps
    }

    static func matchingBracket(_ text: String, from start: String.Index) -> String.Index? {
        var depth = 0
        var quote: Character?
        var i = start
        while i < text.endIndex {
            let c = text[i]
            if let q = quote { if c == q { quote = nil } }
            else if c == "\"" || c == "'" { quote = c }
            else if c == "[" { depth += 1 }
            else if c == "]" { depth -= 1; if depth == 0 { return i } }
            i = text.index(after: i)
        }
        return nil
    }

    /// All values the path selects.
    public func evaluate(_ value: JSONValue) -> [JSONValue] {
        var current = [value]
        for step in steps {
            var next: [JSONValue] = []
            for v in current {
                switch step {
                case .key(let k): if let x = v[k] { next.append(x) }
                case .index(let n):
                    if let a = v.arrayValue {
                        let idx = n < 0 ? a.count + n : n
                        if a.indices.contains(idx) { next.append(a[idx]) }
                    }
                case .all:
                    if let a = v.arrayValue { next += a } else if let o = v.objectValue { next += o.keys.sorted().map { o[$0]! } }
                case .filter(let path, let want, let negated):
                    for item in v.arrayValue ?? [] {
                        let actual = item[path: path].map(Self.text) ?? ""
                        if (actual == want) != negated, item[path: path] != nil || negated { next.append(item) }
                    }
                }
            }
            current = next
        }
        return current
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .null: "<nil>"
        default: v.jsonString
        }
    }
}
