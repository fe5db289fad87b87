/// Walks a query's tokens with PromQL's expression grammar (Prometheus 2.42) far enough to find every vector
/// selector: it tracks operand versus operator position, and tells selectors from numbers (`Inf`, `NaN`), function
/// calls and aggregations (a name followed by `(`, whitespace allowed), keywords and grouping label lists (`by (…)`,
/// `on (…)`, `group_left (…)`). The keyword rules were checked against Prometheus 2.42's own parser. Types,
/// function names and arities are not checked; anything it cannot place is an error, never a guess.
struct SelectorParser {
    /// Aggregation operators: `sum by (a) (x)` and `sum(x) by (a)` both parse. (`limitk` and `limit_ratio` came
    /// after 2.42; accepting them here only confines what a newer Prometheus would read.)
    static let aggregations: Set<String> = [
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values",
        "quantile", "limitk", "limit_ratio",
    ]
    /// Functions that read series their arguments do not name (`info` reads `target_info`), so no matcher added
    /// to the query's selectors confines them.
    static let unconfinableFunctions: Set<String> = ["info"]
    /// Keywords that are never an operand. The other keywords (`by`, `without`, `offset`, `and`, `or`, `unless`,
    /// `start`, `end`) are metric names where an operand is expected, as in Prometheus (`x + by`, `offset{a="b"}`);
    /// where they are structure (`sum by (…)`, `x offset 5m`, `x and y`, `@ start()`) the parser reads them first.
    static let reservedKeywords: Set<String> = ["on", "ignoring", "group_left", "group_right", "bool", "atan2"]
    static let metricNameKeywords: Set<String> = ["by", "without", "offset", "and", "or", "unless", "start", "end"]
    static let symbolOperators: Set<String> = ["+", "-", "*", "/", "%", "^", "==", "!=", "<=", ">=", "<", ">"]
    static let comparisonOperators: Set<String> = ["==", "!=", "<=", ">=", "<", ">"]
    static let wordOperators: Set<String> = ["and", "or", "unless", "atan2"]
    /// Deeper nesting than this is refused rather than risking the stack.
    static let maximumDepth = 128

    let source: SourceText
    let tokens: [Token]
    var index = 0
    private var depth = 0
    var found: [ParsedSelector] = []
    /// The position of the last selector found, from which the next one's is counted.
    var lastPosition = SourcePosition(offset: 0, line: 1, column: 1)

    /// Every selector of `source`, in source order.
    static func parse(_ source: SourceText) throws(PromQLSyntaxError) -> [ParsedSelector] {
        var parser = SelectorParser(source: source, tokens: try Lexer.tokenize(source))
        if parser.current.kind == .end {
            throw source.error(at: 0) { _ in "the query is empty" }
        }
        try parser.parseExpression()
        let token = parser.current
        if token.isSymbol(")") {
            throw source.error(at: token.start) { "unexpected \")\" without a matching \"(\" at \($0)" }
        }
        if token.kind != .end {
            throw source.error(at: token.start) {
                "unexpected \(token.quoted) at \($0); expected an operator or the end"
            }
        }
        return parser.found
    }

    private init(source: SourceText, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
    }

    var current: Token { tokens[index] }
    var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() {
        index = min(index + 1, tokens.count - 1)
    }

    func error(_ message: (String) -> String) -> PromQLSyntaxError {
        source.error(at: current.start, message)
    }

    /// `operand (binary-operator modifiers operand)*`; precedence does not matter for finding selectors.
    private mutating func parseExpression() throws(PromQLSyntaxError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw error { "the query nests more than \(Self.maximumDepth) levels deep at \($0)" }
        }
        try parseOperand()
        while true {
            let token = current
            let comparison: Bool
            if token.kind == .symbol, Self.symbolOperators.contains(token.text) {
                comparison = Self.comparisonOperators.contains(token.text)
            } else if token.kind == .word, Self.wordOperators.contains(token.text.lowercased()) {
                comparison = false
            } else {
                return
            }
            advance()
            try parseBinaryModifiers(comparison: comparison)
            try parseOperand()
        }
    }

    /// `bool`, then `on (…)` or `ignoring (…)`, then `group_left` or `group_right` with an optional label list.
    private mutating func parseBinaryModifiers(comparison: Bool) throws(PromQLSyntaxError) {
        if current.isKeyword("bool") {
            guard comparison else { throw error { "\"bool\" at \($0) may only follow a comparison operator" } }
            advance()
        }
        guard current.isKeyword("on") || current.isKeyword("ignoring") else { return }
        try parseLabelList()
        if current.isKeyword("group_left") || current.isKeyword("group_right") {
            if next.isSymbol("(") {
                try parseLabelList()
            } else {
                advance()
            }
        }
    }

    /// The keyword at `current` followed by `( label, … )`, possibly empty, trailing comma allowed.
    private mutating func parseLabelList() throws(PromQLSyntaxError) {
        let keyword = current.text
        advance()
        guard current.isSymbol("(") else {
            throw error { "expected \"(\" after \"\(keyword)\" at \($0), found \(current.quoted)" }
        }
        advance()
        while !current.isSymbol(")") {
            guard current.kind == .word, LabelMatcher.isValidLabelName(current.text) else {
                throw error {
                    "expected a label name in the list after \"\(keyword)\" at \($0), found \(current.quoted)"
                }
            }
            advance()
            if current.isSymbol(",") {
                advance()
            } else if !current.isSymbol(")") {
                throw error {
                    "expected \",\" or \")\" in the list after \"\(keyword)\" at \($0), found \(current.quoted)"
                }
            }
        }
        advance()
    }

    /// Unary signs, a primary expression, then ranges, subqueries, `offset` and `@` modifiers.
    private mutating func parseOperand() throws(PromQLSyntaxError) {
        while current.isSymbol("+") || current.isSymbol("-") { advance() }
        let selector = try parsePrimary()
        try parseModifiers(of: selector)
    }

    /// Returns the index in `found` when the primary is a selector.
    private mutating func parsePrimary() throws(PromQLSyntaxError) -> Int? {
        let token = current
        switch token.kind {
        case .number, .string:
            advance()
            return nil
        case .duration:
            throw error {
                "unexpected duration \"\(token.text)\" at \($0); durations go in [ ], subqueries or after offset"
            }
        case .end:
            throw error { "expected an expression at \($0), found the end of the query" }
        case .symbol where token.isSymbol("("):
            advance()
            try parseExpression()
            try expectClosingParenthesis(openedAt: token.start)
            return nil
        case .symbol where token.isSymbol("{"):
            return try parseSelector()
        case .symbol:
            throw error { "expected an expression at \($0), found \(token.quoted)" }
        case .word:
            let word = token.text.lowercased()
            if word == "inf" || word == "nan" {
                advance()
                return nil
            }
            if Self.reservedKeywords.contains(word) {
                throw error { "unexpected keyword \(token.quoted) at \($0); expected an expression" }
            }
            if Self.metricNameKeywords.contains(word) {
                return try parseSelector()
            }
            let grouping = next.isKeyword("by") || next.isKeyword("without")
            if Self.aggregations.contains(word), next.isSymbol("(") || grouping {
                try parseAggregation()
                return nil
            }
            if next.isSymbol("(") {
                guard !token.text.contains(":") else {
                    throw error { "\(token.quoted) at \($0) is a metric name, not a function, and cannot be called" }
                }
                guard !Self.unconfinableFunctions.contains(token.text) else {
                    throw error { "the function \(token.quoted) at \($0) reads series the query does not name" }
                }
                advance()
                try parseArguments(required: false)
                return nil
            }
            return try parseSelector()
        }
    }

    /// `sum by (a) (args)`, `sum (args) by (a)`, `sum (args)`.
    private mutating func parseAggregation() throws(PromQLSyntaxError) {
        let name = current.text
        advance()
        var grouped = false
        if current.isKeyword("by") || current.isKeyword("without") {
            try parseLabelList()
            grouped = true
        }
        guard current.isSymbol("(") else {
            throw error { "expected \"(\" and the arguments of \"\(name)\" at \($0), found \(current.quoted)" }
        }
        try parseArguments(required: true)
        if !grouped, current.isKeyword("by") || current.isKeyword("without") {
            try parseLabelList()
        }
    }

    /// `( expression, … )` at `current`; `required`: at least one argument.
    private mutating func parseArguments(required: Bool) throws(PromQLSyntaxError) {
        let open = current.start
        advance()
        if current.isSymbol(")"), !required {
            advance()
            return
        }
        try parseExpression()
        while current.isSymbol(",") {
            advance()
            try parseExpression()
        }
        try expectClosingParenthesis(openedAt: open)
    }

    private mutating func expectClosingParenthesis(openedAt open: Int) throws(PromQLSyntaxError) {
        if current.isSymbol(")") {
            advance()
            return
        }
        if current.kind == .end {
            throw source.error(at: open) { "unclosed \"(\" opened at \($0)" }
        }
        throw error { "unexpected \(current.quoted) at \($0); expected an operator, \",\" or \")\"" }
    }
}
