import Foundation
import KubeJSON

/// Validates and prunes a JSON value against a structural OpenAPI v3 schema, like the real server does for
/// custom resources: unknown fields are removed (and reported, for `fieldValidation=Strict|Warn`), then types,
/// `required`, `enum`, bounds, lengths, `pattern` and item counts are checked.
public struct SchemaValidator: Sendable {
    /// The outcome: the pruned value, the validation errors and the dotted paths of pruned unknown fields.
    public struct Outcome: Sendable {
        public var value: JSONValue
        public var errors: [FieldError]
        public var unknownFields: [String]
    }

    public let schema: JSONValue

    public init(schema: JSONValue) { self.schema = schema }

    /// Prunes and validates a whole object. `apiVersion`, `kind` and `metadata` are always known at the root.
    public func validate(_ object: JSONValue) -> Outcome {
        var state = Walk()
        var root = schema
        if root["type"] == nil { root["type"] = "object" }
        var props = root["properties"]?.objectValue ?? [:]
        props["apiVersion"] = BuiltinSchemas.str
        props["kind"] = BuiltinSchemas.str
        props["metadata"] = BuiltinSchemas.objectMeta
        root["properties"] = .object(props)
        let value = state.visit(object, root, path: "")
        return Outcome(value: value ?? .null, errors: state.errors, unknownFields: state.unknown)
    }

    private struct Walk {
        var errors: [FieldError] = []
        var unknown: [String] = []

        static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        mutating func visit(_ value: JSONValue, _ schema: JSONValue, path: String) -> JSONValue? {
            let field = path.isEmpty ? "<root>" : path
            if value == .null {
                return schema["nullable"]?.boolValue == true ? .null : nil
            }
            if schema["x-kubernetes-int-or-string"]?.boolValue == true {
                if value.stringValue == nil && value.intValue == nil {
                    errors.append(FieldError(reason: "FieldValueTypeInvalid", field: field,
                                             detail: "\(field) in body must be of type integer,string: \(FieldError.render(.string(value.typeName)))",
                                             value: .string(value.typeName)))
                }
                checkValue(value, schema, field: field)
                return value
            }
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let type = schema["type"]?.stringValue
            guard typeMatches(value, type) else {
                let t = value.typeName == "integer" && type == "string" ? "integer" : value.typeName
                errors.append(FieldError(reason: "FieldValueTypeInvalid", field: field,
                                         detail: "\(field) in body must be of type \(type ?? "object"): \"\(t)\"",
                                         value: .string(t)))
                return value
            }
            switch value {
            case .object(let o):
                var out: [String: JSONValue] = [:]
                let props = schema["properties"]?.objectValue
                let additional = schema["additionalProperties"]
                for (key, child) in o.sorted(by: { $0.key < $1.key }) {
                    let childPath = Self.join(path, key)
                    if let s = props?[key] {
                        if let v = visit(child, s, path: childPath) { out[key] = v }
                    } else if let additional, additional.objectValue != nil {
                        if let v = visit(child, additional, path: childPath) { out[key] = v }
                    } else if preserve || additional?.boolValue == true || (props == nil && type == nil) {
                        out[key] = child
                    } else {
                        unknown.append(childPath)
                    }
                }
                for (key, s) in (props ?? [:]).sorted(by: { $0.key < $1.key }) where out[key] == nil {
                    if let d = s["default"], let v = visit(d, s, path: Self.join(path, key)) { out[key] = v }
                }
                for case .string(let r) in schema["required"]?.arrayValue ?? [] where out[r] == nil {
                    errors.append(.required(Self.join(path, r)))
                }
                checkValue(.object(out), schema, field: field)
                return .object(out)
            case .array(let a):
                var out: [JSONValue] = []
                if let items = schema["items"], items.objectValue != nil {
                    for (i, child) in a.enumerated() {
                        if let v = visit(child, items, path: "\(path)[\(i)]") { out.append(v) }
                    }
                } else {
                    out = a
                }
                checkValue(.array(out), schema, field: field)
                return .array(out)
            default:
                checkValue(value, schema, field: field)
                return value
            }
        }

        func typeMatches(_ value: JSONValue, _ type: String?) -> Bool {
            switch type {
            case nil: return true
            case "object": return value.objectValue != nil
            case "array": return value.arrayValue != nil
            case "string": return value.stringValue != nil
            case "boolean": return value.boolValue != nil
            case "integer": return value.intValue != nil
            case "number": return value.doubleValue != nil
            default: return true
            }
        }

        /// Whether `value` satisfies `schema` on its own (value validation only, no pruning).
        static func passes(_ value: JSONValue, _ schema: JSONValue, field: String) -> Bool {
            var w = Walk()
            var s = schema
            s["x-kubernetes-preserve-unknown-fields"] = true
            _ = w.visit(value, s, path: field == "<root>" ? "" : field)
            return w.errors.isEmpty
        }

        mutating func checkCombinators(_ value: JSONValue, _ schema: JSONValue, field: String) {
            if let all = schema["allOf"]?.arrayValue, !all.allSatisfy({ Self.passes(value, $0, field: field) }) {
                errors.append(.invalid(field, value, "\(field) in body must validate all the schemas (allOf)"))
            }
            if let any = schema["anyOf"]?.arrayValue, !any.contains(where: { Self.passes(value, $0, field: field) }) {
                errors.append(.invalid(field, value, "\(field) in body must match at least one schema (anyOf)"))
            }
            if let one = schema["oneOf"]?.arrayValue, one.filter({ Self.passes(value, $0, field: field) }).count != 1 {
                errors.append(.invalid(field, value, "\(field) in body must match exactly one schema in oneOf"))
            }
            if let not = schema["not"], not.objectValue != nil, Self.passes(value, not, field: field) {
                errors.append(.invalid(field, value, "\(field) in body should not match the schema (not)"))
            }
        }

        mutating func checkValue(_ value: JSONValue, _ schema: JSONValue, field: String) {
            checkCombinators(value, schema, field: field)
            if let options = schema["enum"]?.arrayValue, !options.contains(value) {
                errors.append(FieldError(reason: "FieldValueNotSupported", field: field,
                                         detail: "supported values: " + options.map { FieldError.render($0) }.joined(separator: ", "),
                                         value: value))
            }
            if let n = value.doubleValue {
                let shown = value
                if let min = schema["minimum"]?.doubleValue {
                    let exclusive = schema["exclusiveMinimum"]?.boolValue == true
                    if exclusive ? n <= min : n < min {
                        errors.append(.invalid(field, shown, "\(field) in body should be greater than \(exclusive ? "" : "or equal to ")\(Self.number(min))"))
                    }
                }
                if let max = schema["maximum"]?.doubleValue {
                    let exclusive = schema["exclusiveMaximum"]?.boolValue == true
                    if exclusive ? n >= max : n > max {
                        errors.append(.invalid(field, shown, "\(field) in body should be less than \(exclusive ? "" : "or equal to ")\(Self.number(max))"))
                    }
                }
                if let m = schema["multipleOf"]?.doubleValue, m > 0, (n / m).rounded() != n / m {
                    errors.append(.invalid(field, shown, "\(field) in body should be a multiple of \(Self.number(m))"))
                }
            }
            if let s = value.stringValue {
                if let min = schema["minLength"]?.intValue, s.count < min {
                    errors.append(.invalid(field, value, "\(field) in body should be at least \(min) chars long"))
                }
                if let max = schema["maxLength"]?.intValue, s.count > max {
                    errors.append(FieldError(reason: "FieldValueTooLong", field: field, detail: "may not be more than \(max) bytes"))
                }
                if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
                    errors.append(.invalid(field, value, "\(field) in body should match '\(pattern)'"))
                }
                if schema["format"]?.stringValue == "date-time", !s.isEmpty, Timestamps.parse(s) == nil {
                    errors.append(.invalid(field, value, "\(field) in body must be of type date-time: \"\(s)\""))
                }
            }
            if let a = value.arrayValue {
                if let min = schema["minItems"]?.intValue, a.count < min {
                    errors.append(.invalid(field, .number(Double(a.count)), "\(field) in body should have at least \(min) items"))
                }
                if let max = schema["maxItems"]?.intValue, a.count > max {
                    errors.append(FieldError(reason: "FieldValueTooMany", field: field,
                                             detail: "\(a.count): must have at most \(max) items"))
                }
                if schema["uniqueItems"]?.boolValue == true || schema["x-kubernetes-list-type"]?.stringValue == "set",
                   Set(a).count != a.count {
                    if let dup = a.enumerated().first(where: { i, v in a[..<i].contains(v) }) {
                        errors.append(FieldError(reason: "FieldValueDuplicate", field: "\(field)[\(dup.offset)]", detail: "", value: dup.element))
                    }
                }
            }
            if let o = value.objectValue {
                if let min = schema["minProperties"]?.intValue, o.count < min {
                    errors.append(.invalid(field, .number(Double(o.count)), "\(field) in body should have at least \(min) properties"))
                }
                if let max = schema["maxProperties"]?.intValue, o.count > max {
                    errors.append(FieldError(reason: "FieldValueTooMany", field: field, detail: "\(o.count): must have at most \(max) items"))
                }
            }
        }

        static func number(_ d: Double) -> String {
            d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        }
    }
}

/// RFC 3339 timestamps as Kubernetes writes them (`2026-11-22T03:55:35Z`).
enum Timestamps {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
    static func now() -> String { format(Date()) }
    static func parse(_ s: String) -> Date? {
        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle()) { return d }
        return try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
