import Foundation
import KubeJSON
import Yams

/// Prints objects as `-o json` and `-o yaml` do in kubectl: every field the API returned, keys sorted.
enum ObjectPrinter {
    /// The text of `value` in `format`, ending with a newline.
    static func render(_ value: JSONValue, as format: OutputFormat) throws -> String {
        switch format {
        case .json:
            let data = try value.data(sortedKeys: true, pretty: true)
            return String(decoding: data, as: UTF8.self) + "\n"
        case .yaml:
            return try Yams.serialize(node: node(value), width: -1, allowUnicode: true, sortKeys: true)
        }
    }

    /// `{"apiVersion": "v1", "kind": "List", "items": [...]}`, as kubectl prints a list.
    static func list(_ items: [JSONValue]) -> JSONValue {
        ["apiVersion": "v1", "kind": "List", "items": .array(items), "metadata": ["resourceVersion": ""]]
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 { return Node(String(Int64(d)), Tag(.int)) }
            return Node("\(d)", Tag(.float))
        case .string(let s): return .scalar(s.represented())
        case .array(let a): return .sequence(Node.Sequence(a.map(node)))
        case .object(let o):
            return .mapping(Node.Mapping(o.keys.sorted().map { (Node.scalar($0.represented()), node(o[$0]!)) }))
        }
    }
}

extension ObjectPrinter {
    /// Reads YAML (one document) as JSON: the inverse of `render(_:as: .yaml)`.
    static func parseYAML(_ text: String) throws -> JSONValue {
        func convert(_ value: Any?) -> JSONValue {
            switch value {
            case nil, is NSNull: return .null
            case let b as Bool: return .bool(b)
            case let i as Int: return .number(Double(i))
            case let d as Double: return .number(d)
            case let s as String: return .string(s)
            case let a as [Any]: return .array(a.map(convert))
            case let o as [String: Any]: return .object(o.mapValues(convert))
            case let o as [AnyHashable: Any]:
                return .object(Dictionary(uniqueKeysWithValues: o.map { ("\($0.key)", convert($0.value)) }))
            default: return .string("\(value!)")
            }
        }
        return convert(try Yams.load(yaml: text))
    }
}
