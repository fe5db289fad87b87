/// The one JSON parser of the project: RFC 8259 exactly, several times faster than going through
/// `JSONDecoder` into ``JSONValue``, and able to reject duplicate keys (which Foundation's parsers
/// resolve silently) while saying where the text goes wrong. The Kubernetes client, the emulator and
/// the replay decoder of `kubectl fledge` all parse with it.
public struct JSONParser {
    /// What to do with a key that appears twice in one object.
    public enum DuplicateKeys: Sendable {
        /// A syntax error naming the key (for input people write, such as replay files).
        case reject
        /// The last value wins, as most JSON decoders do.
        case lastWins
    }

    /// Where and why the text is not valid JSON.
    public struct SyntaxError: Error, CustomStringConvertible, Equatable {
        /// 1-based character position in the text.
        public var column: Int
        public var message: String
        public var description: String { "\(message) at column \(column)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int
    private let duplicateKeys: DuplicateKeys

    private init(_ bytes: [UInt8], maxDepth: Int, duplicateKeys: DuplicateKeys) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.duplicateKeys = duplicateKeys
    }

    /// Parses exactly one JSON value (surrounded by optional whitespace). `maxDepth` bounds nesting
    /// so hostile input cannot exhaust the stack.
    public static func parse(
        _ bytes: [UInt8], duplicateKeys: DuplicateKeys = .lastWins, maxDepth: Int = 512
    ) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes, maxDepth: maxDepth, duplicateKeys: duplicateKeys)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < parser.bytes.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses exactly one JSON value from text.
    public static func parse(
        _ text: String, duplicateKeys: DuplicateKeys = .lastWins, maxDepth: Int = 512
    ) throws(SyntaxError) -> JSONValue {
        try parse(Array(text.utf8), duplicateKeys: duplicateKeys, maxDepth: maxDepth)
    }

    private func error(_ message: String, at position: Int? = nil) -> SyntaxError {
        let end = min(position ?? index, bytes.count)
        let column = String(decoding: bytes[0..<end], as: UTF8.self).count + 1
        return SyntaxError(column: column, message: message)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        guard current == byte else { throw unexpected(expecting: what) }
        index += 1
    }

    private func unexpected(expecting what: String) -> SyntaxError {
        guard let b = current else { return error("unexpected end of input, expected \(what)") }
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        return error("unexpected \(shown), expected \(what)")
    }

    private mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw error("nested too deeply") }
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case let b? where b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")): return try number()
        default: throw unexpected(expecting: "a JSON value")
        }
    }

    private mutating func literal(_ word: String) throws(SyntaxError) {
        let start = index
        for b in word.utf8 {
            guard current == b else { throw error("invalid literal, expected \(word)", at: start) }
            index += 1
        }
    }

    private mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1  // {
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(fields) }
        while true {
            skipWhitespace()
            let keyStart = index
            guard current == UInt8(ascii: "\"") else { throw unexpected(expecting: "a key in double quotes") }
            let key = try string()
            if duplicateKeys == .reject, fields[key] != nil { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            fields[key] = try value(depth: depth + 1)
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return .object(fields)
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(items)
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard let b = current else { throw error("unterminated string", at: start) }
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated string", at: start) }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: index - 2)
                }
            case 0x00..<0x20:
                throw error("control character in a string", at: index - 1)
            default:
                out.append(b)
            }
        }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = current, let digit = Self.hexValue(b) else { throw error("invalid \\u escape") }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func number() throws(SyntaxError) -> JSONValue {
        let start = index
        func digits() -> Int {
            let from = index
            while let b = current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { index += 1 }
            return index - from
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
            if let b = current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { throw error("leading zero in a number", at: start) }
        } else if digits() == 0 {
            throw error("invalid number", at: start)
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("invalid number: digits expected after '.'", at: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("invalid number: digits expected in the exponent", at: start) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw error("number out of range", at: start) }
        return .number(d)
    }
}
