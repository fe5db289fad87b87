/// A parsed JSON value, kept exactly as written (whole numbers apart from fractional ones) so the
/// replay decoder can check every type and every key itself and name what is wrong.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON text strictly (see ``StrictJSONParser``).
    static func parse(_ text: String) throws(StrictJSONParser.SyntaxError) -> JSONValue {
        try StrictJSONParser.parse(text)
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
