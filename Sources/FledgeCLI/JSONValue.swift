import Foundation

/// A parsed JSON value, kept exactly as written so the replay decoder can check every type
/// and every key itself and name what is wrong.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() { self = .null; return }
            if let b = try? container.decode(Bool.self) { self = .bool(b); return }
            if let i = try? container.decode(Int.self) { self = .integer(i); return }
            if let d = try? container.decode(Double.self) { self = .number(d); return }
            if let s = try? container.decode(String.self) { self = .string(s); return }
            if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
            if let o = try? container.decode([String: JSONValue].self) { self = .object(o); return }
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unsupported JSON value"))
    }

    /// Parses one JSON text.
    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// A short name of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
