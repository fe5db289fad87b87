/// Splits a query into tokens. Like Prometheus's lexer it has three modes: statements; inside braces (label
/// matchers: label names, strings, matcher operators, commas); inside brackets (durations and a colon). Braces and
/// brackets do not nest, so a stray or unclosed one is found here. Comments (`#` to the next line feed or carriage
/// return) and whitespace are skipped; inside a string neither `#` nor a brace is structure.
struct Lexer {
    private enum Mode {
        case statements
        case braces(openedAt: Int)
        case brackets(openedAt: Int)
    }

    let source: SourceText
    private var offset = 0
    private var mode = Mode.statements

    private init(_ source: SourceText) {
        self.source = source
    }

    /// Every token of `source`, ending with one `.end` token.
    static func tokenize(_ source: SourceText) throws(PromQLSyntaxError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() throws(PromQLSyntaxError) -> Token {
        skipSpaceAndComments()
        let start = offset
        guard start < source.bytes.count else {
            switch mode {
            case .statements:
                return Token(kind: .end, text: "", start: start, end: start)
            case .braces(let openedAt):
                throw source.error(at: openedAt) { "unclosed \"{\" opened at \($0)" }
            case .brackets(let openedAt):
                throw source.error(at: openedAt) { "unclosed \"[\" opened at \($0)" }
            }
        }
        switch mode {
        case .statements: return try statementToken(start)
        case .braces: return try braceToken(start)
        case .brackets: return try bracketToken(start)
        }
    }

    private mutating func skipSpaceAndComments() {
        while offset < source.bytes.count {
            if source.at(offset).isSpace {
                offset += 1
            } else if source.at(offset, is: "#") {
                // A comment ends at a line feed or a carriage return, as in Prometheus: what follows a lone "\r" is
                // live query text.
                while offset < source.bytes.count, !source.at(offset, is: "\n"), !source.at(offset, is: "\r") {
                    offset += 1
                }
            } else {
                return
            }
        }
    }

    private mutating func statementToken(_ start: Int) throws(PromQLSyntaxError) -> Token {
        let byte = source.at(start)
        if byte.isMetricStart { return word(start, continuing: \.isMetricCharacter) }
        if byte.isDigit || (byte == UInt8(ascii: ".") && source.at(start + 1).isDigit) {
            return try numberOrDuration(start)
        }
        switch Unicode.Scalar(byte) {
        case "\"", "'": return try quotedString(start)
        case "`": return try rawString(start)
        case "{":
            mode = .braces(openedAt: start)
            return symbol(start, length: 1)
        case "[":
            mode = .brackets(openedAt: start)
            return symbol(start, length: 1)
        case "}": throw source.error(at: start) { "unexpected \"}\" without a matching \"{\" at \($0)" }
        case "]": throw source.error(at: start) { "unexpected \"]\" without a matching \"[\" at \($0)" }
        case "(", ")", ",", "+", "-", "*", "/", "%", "^", "@":
            return symbol(start, length: 1)
        case "=":
            return symbol(start, length: source.at(start + 1, is: "=") || source.at(start + 1, is: "~") ? 2 : 1)
        case "!":
            guard source.at(start + 1, is: "=") || source.at(start + 1, is: "~") else {
                throw unexpectedCharacter(start, where: "")
            }
            return symbol(start, length: 2)
        case "<", ">":
            return symbol(start, length: source.at(start + 1, is: "=") ? 2 : 1)
        default:
            throw unexpectedCharacter(start, where: "")
        }
    }

    private mutating func braceToken(_ start: Int) throws(PromQLSyntaxError) -> Token {
        let byte = source.at(start)
        if byte.isLabelStart { return word(start, continuing: \.isLabelCharacter) }
        switch Unicode.Scalar(byte) {
        case "\"", "'": return try quotedString(start)
        case "`": return try rawString(start)
        case ",": return symbol(start, length: 1)
        case "}":
            mode = .statements
            return symbol(start, length: 1)
        case "=":
            return symbol(start, length: source.at(start + 1, is: "~") ? 2 : 1)
        case "!":
            guard source.at(start + 1, is: "=") || source.at(start + 1, is: "~") else {
                throw unexpectedCharacter(start, where: " inside braces")
            }
            return symbol(start, length: 2)
        case "{": throw source.error(at: start) { "unexpected \"{\" inside braces at \($0)" }
        default: throw unexpectedCharacter(start, where: " inside braces")
        }
    }

    private mutating func bracketToken(_ start: Int) throws(PromQLSyntaxError) -> Token {
        let byte = source.at(start)
        if byte.isDigit { return try numberOrDuration(start) }
        switch Unicode.Scalar(byte) {
        case ":": return symbol(start, length: 1)
        case "]":
            mode = .statements
            return symbol(start, length: 1)
        case "[": throw source.error(at: start) { "unexpected \"[\" inside brackets at \($0)" }
        default: throw unexpectedCharacter(start, where: " inside brackets")
        }
    }

    private func unexpectedCharacter(_ start: Int, where context: String) -> PromQLSyntaxError {
        let character = source.characterDescription(at: start)
        return source.error(at: start) { "unexpected character \(character)\(context) at \($0)" }
    }

    private mutating func symbol(_ start: Int, length: Int) -> Token {
        token(.symbol, from: start, to: start + length)
    }

    mutating func token(_ kind: Token.Kind, from start: Int, to end: Int) -> Token {
        offset = end
        return Token(kind: kind, text: source.text(start..<end), start: start, end: end)
    }

    private mutating func word(_ start: Int, continuing: (UInt8) -> Bool) -> Token {
        var end = start + 1
        while continuing(source.at(end)) { end += 1 }
        return token(.word, from: start, to: end)
    }

    /// A number (`12`, `1.5`, `.5`, `1e-3`, `0x1F`) or a duration (`5m`, `1h30m`, `500ms`): neither may be directly
    /// followed by a letter, digit or underscore.
    private mutating func numberOrDuration(_ start: Int) throws(PromQLSyntaxError) -> Token {
        if let end = scanNumber(start), !source.at(end).isLabelCharacter {
            return token(.number, from: start, to: end)
        }
        if let end = scanDuration(start) {
            return token(.duration, from: start, to: end)
        }
        var end = start
        while source.at(end).isLabelCharacter || source.at(end, is: ".") { end += 1 }
        let text = source.text(start..<end)
        throw source.error(at: start) { "bad number or duration \"\(text)\" at \($0)" }
    }

    private func scanNumber(_ start: Int) -> Int? {
        var end = start
        if source.at(end, is: "0"), source.at(end + 1) | 0x20 == UInt8(ascii: "x") {
            end += 2
            let digits = end
            while source.at(end).isHexDigit { end += 1 }
            return end > digits ? end : nil
        }
        var digits = 0
        while source.at(end).isDigit { end += 1; digits += 1 }
        if source.at(end, is: ".") {
            end += 1
            while source.at(end).isDigit { end += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if source.at(end) | 0x20 == UInt8(ascii: "e") {
            var exponent = end + 1
            if source.at(exponent, is: "+") || source.at(exponent, is: "-") { exponent += 1 }
            let exponentDigits = exponent
            while source.at(exponent).isDigit { exponent += 1 }
            guard exponent > exponentDigits else { return nil }
            end = exponent
        }
        return end
    }

    /// `(digits unit)+` with units among y w d h m s ms, each at most once and from largest to smallest, as
    /// Prometheus's duration parser requires.
    private func scanDuration(_ start: Int) -> Int? {
        var end = start
        var previousUnit = -1
        while source.at(end).isDigit {
            while source.at(end).isDigit { end += 1 }
            let unit: Int
            switch Unicode.Scalar(source.at(end)) {
            case "y": unit = 0
            case "w": unit = 1
            case "d": unit = 2
            case "h": unit = 3
            case "m" where source.at(end + 1, is: "s"):
                unit = 6
                end += 1
            case "m": unit = 4
            case "s": unit = 5
            default: return nil
            }
            end += 1
            guard unit > previousUnit else { return nil }
            previousUnit = unit
        }
        guard previousUnit >= 0, !source.at(end).isLabelCharacter else { return nil }
        return end
    }
}
