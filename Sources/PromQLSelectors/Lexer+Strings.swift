/// String literals: double- and single-quoted with Go's escapes (what Prometheus accepts), and backtick raw strings.
/// The decoded value is what label matching compares, so decoding must be exact: `"te\u0061m-a"` is `team-a`.
extension Lexer {
    /// A `"…"` or `'…'` string. Escapes: `\a \b \f \n \r \t \v \\`, the string's own quote, `\xHH` (a byte),
    /// `\ooo` (a byte, three octal digits), `\uHHHH` and `\UHHHHHHHH` (a Unicode scalar). A raw newline ends nothing
    /// and is an error, as in Prometheus. The decoded bytes must be valid UTF-8.
    mutating func quotedString(_ start: Int) throws(PromQLSyntaxError) -> Token {
        let quote = source.at(start)
        var value: [UInt8] = []
        var index = start + 1
        while true {
            guard index < source.bytes.count, !source.at(index, is: "\n") else {
                throw source.error(at: start) { "unterminated string starting at \($0)" }
            }
            let byte = source.at(index)
            if byte == quote {
                index += 1
                break
            }
            if byte == UInt8(ascii: "\\") {
                index = try escape(at: index, stringStart: start, quote: quote, into: &value)
            } else {
                value.append(byte)
                index += 1
            }
        }
        guard let decoded = String(validating: value, as: UTF8.self) else {
            throw source.error(at: start) { "the escapes in the string starting at \($0) do not decode to UTF-8" }
        }
        return token(.string(value: decoded), from: start, to: index)
    }

    /// A `` `…` `` string: no escapes; every character up to the next backtick, newlines and carriage returns
    /// included, is the value (Prometheus 2.42 keeps a carriage return too).
    mutating func rawString(_ start: Int) throws(PromQLSyntaxError) -> Token {
        var index = start + 1
        while !source.at(index, is: "`") {
            guard index < source.bytes.count else {
                throw source.error(at: start) { "unterminated string starting at \($0)" }
            }
            index += 1
        }
        let value = source.text(start + 1..<index)
        return token(.string(value: value), from: start, to: index + 1)
    }

    /// Decodes the escape whose backslash is at `backslash`, appends its bytes, and returns the index after it.
    private func escape(
        at backslash: Int, stringStart: Int, quote: UInt8, into value: inout [UInt8]
    ) throws(PromQLSyntaxError) -> Int {
        guard backslash + 1 < source.bytes.count else {
            throw source.error(at: stringStart) { "unterminated string starting at \($0)" }
        }
        let letter = source.at(backslash + 1)
        let simple: [Unicode.Scalar: UInt8] = [
            "a": 0x07, "b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B, "\\": 0x5C,
        ]
        if let byte = simple[Unicode.Scalar(letter)] {
            value.append(byte)
            return backslash + 2
        }
        if letter == quote {
            value.append(quote)
            return backslash + 2
        }
        switch Unicode.Scalar(letter) {
        case "x":
            let byte = try digits(after: backslash, skip: 2, count: 2, radix: 16, name: "hexadecimal")
            value.append(UInt8(byte))
            return backslash + 4
        case "0"..."7":
            let byte = try digits(after: backslash, skip: 1, count: 3, radix: 8, name: "octal")
            guard byte <= 0xFF else {
                let text = source.text(backslash..<backslash + 4)
                throw source.error(at: backslash) { "octal escape \"\(text)\" at \($0) is above \\377" }
            }
            value.append(UInt8(byte))
            return backslash + 4
        case "u", "U":
            let count = letter == UInt8(ascii: "u") ? 4 : 8
            let code = try digits(after: backslash, skip: 2, count: count, radix: 16, name: "hexadecimal")
            guard let scalar = Unicode.Scalar(code) else {
                let text = source.text(backslash..<backslash + 2 + count)
                throw source.error(at: backslash) { "escape \"\(text)\" at \($0) is not a Unicode scalar value" }
            }
            value.append(contentsOf: Array(String(Character(scalar)).utf8))
            return backslash + 2 + count
        default:
            let shown =
                (0x21...0x7E).contains(letter)
                ? "\"\\\(Character(Unicode.Scalar(letter)))\""
                : "\"\\\" followed by \(source.characterDescription(at: backslash + 1))"
            throw source.error(at: backslash) { "unknown escape sequence \(shown) at \($0)" }
        }
    }

    /// The value of the `count` digits that start `skip` bytes after the backslash.
    private func digits(
        after backslash: Int, skip: Int, count: Int, radix: UInt32, name: String
    ) throws(PromQLSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for index in backslash + skip..<backslash + skip + count {
            let byte = source.at(index)
            let digit: UInt32? =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
                default: nil
                }
            guard let digit, digit < radix else {
                let kind = source.text(backslash..<backslash + 2)
                throw source.error(at: backslash) { "escape \"\(kind)\" at \($0) needs \(count) \(name) digits" }
            }
            value = value * radix + digit
        }
        return value
    }
}
