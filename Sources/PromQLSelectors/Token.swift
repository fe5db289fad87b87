/// One lexical token of a query: its kind, its source text and where it lies in the query's UTF-8 bytes.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// An identifier: a metric name, function, aggregation or keyword outside braces, a label name inside.
        case word
        /// A number literal, including hexadecimal (`0x1F`); `Inf` and `NaN` are words the parser reads as numbers.
        case number
        /// A duration such as `5m` or `1h30m`.
        case duration
        /// A string literal; `value` is its decoded content.
        case string(value: String)
        /// Punctuation or an operator; `text` says which.
        case symbol
        /// The end of the query.
        case end
    }

    var kind: Kind
    var text: String
    var start: Int
    var end: Int

    func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol && text == symbol
    }

    /// Whether this is the word `keyword`, in any case (PromQL keywords are case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        kind == .word && text.lowercased() == keyword
    }

    /// The token as a message names it.
    var quoted: String {
        switch kind {
        case .end: return "the end of the query"
        case .string: return "the string \(text)"
        default: return "\"\(text)\""
        }
    }
}
