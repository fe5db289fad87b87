import KubeJSON

extension JSONValue {
    /// The value's kind with an article, as the replay decoder's messages say it: "got a string".
    var kindForMessages: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
