/// Selectors and what may follow an operand: the parts of the walk that record what enforcement needs.
extension SelectorParser {
    /// `metric`, `metric{…}` or `{…}` at `current`; records it and returns its index in `found`.
    mutating func parseSelector() throws(PromQLSyntaxError) -> Int {
        let start = current.start
        var end = current.end
        var metricName: String?
        var insertion = ParsedSelector.InsertionPoint.afterName(current.end)
        if current.kind == .word {
            metricName = current.text
            advance()
        }
        var matchers: [LabelMatcher] = []
        var matcherOffsets: [Int] = []
        if current.isSymbol("{") {
            insertion = .intoEmptyBraces(current.end)
            advance()
            while !current.isSymbol("}") {
                let label = current
                guard label.kind == .word else {
                    throw error { "expected a label name or \"}\" at \($0), found \(label.quoted)" }
                }
                advance()
                guard current.kind == .symbol, let op = LabelMatcher.Op(rawValue: current.text) else {
                    throw error {
                        "expected a label matcher operator after \"\(label.text)\" at \($0), found \(current.quoted)"
                    }
                }
                advance()
                guard case .string(let value) = current.kind else {
                    throw error {
                        "expected a string after \"\(label.text)\(op.rawValue)\" at \($0), found \(current.quoted)"
                    }
                }
                matchers.append(LabelMatcher(name: label.text, op: op, value: value))
                matcherOffsets.append(label.start)
                insertion = .afterLastMatcher(current.end)
                advance()
                if current.isSymbol(",") {
                    advance()
                } else if !current.isSymbol("}") {
                    throw error { "expected \",\" or \"}\" after a label matcher at \($0), found \(current.quoted)" }
                }
            }
            end = current.end
            advance()
        }
        if metricName == nil, matchers.isEmpty {
            throw source.error(at: start) { "the selector at \($0) needs a metric name or at least one label matcher" }
        }
        lastPosition = source.position(at: start, from: lastPosition)
        let selector = VectorSelector(
            metricName: metricName, matchers: matchers, sourceRange: start..<end, position: lastPosition)
        found.append(ParsedSelector(selector: selector, matcherOffsets: matcherOffsets, insertionPoint: insertion))
        return found.count - 1
    }

    /// After an operand: `[range]`, `[range:step]`, `[range:]`, `offset [-]duration`, `@ number`, `@ start()`,
    /// `@ end()`, in any order. A plain range right after a selector is recorded as its range.
    mutating func parseModifiers(of selector: Int?) throws(PromQLSyntaxError) {
        while true {
            if current.isSymbol("[") {
                advance()
                guard current.kind == .duration else {
                    throw error { "expected a duration after \"[\" at \($0), found \(current.quoted)" }
                }
                let range = current.text
                advance()
                var subquery = false
                if current.isSymbol(":") {
                    subquery = true
                    advance()
                    if current.kind == .duration { advance() }
                }
                guard current.isSymbol("]") else {
                    throw error { "expected \(subquery ? "" : "\":\" or ")\"]\" at \($0), found \(current.quoted)" }
                }
                advance()
                if let selector, !subquery, found[selector].selector.range == nil {
                    found[selector].selector.range = range
                }
            } else if current.isKeyword("offset") {
                advance()
                if current.isSymbol("-") { advance() }
                guard current.kind == .duration else {
                    throw error { "expected a duration after \"offset\" at \($0), found \(current.quoted)" }
                }
                advance()
            } else if current.isSymbol("@") {
                advance()
                let signed = current.isSymbol("+") || current.isSymbol("-")
                if signed { advance() }
                if current.kind == .number {
                    advance()
                } else if !signed, current.isKeyword("start") || current.isKeyword("end"), next.isSymbol("("),
                    tokens[min(index + 2, tokens.count - 1)].isSymbol(")")
                {
                    advance()
                    advance()
                    advance()
                } else {
                    throw error {
                        "expected a timestamp, start() or end() after \"@\" at \($0), found \(current.quoted)"
                    }
                }
            } else {
                return
            }
        }
    }
}
