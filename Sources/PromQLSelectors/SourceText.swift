/// The UTF-8 bytes of a query being lexed, with the conversions from byte offsets to what error messages show.
struct SourceText: Sendable {
    let bytes: [UInt8]

    init(_ query: String) {
        bytes = Array(query.utf8)
    }

    /// The byte at `offset`, or 0 past the end (0 is never a token character, so scanners stop there).
    func at(_ offset: Int) -> UInt8 {
        offset < bytes.count ? bytes[offset] : 0
    }

    func at(_ offset: Int, is scalar: Unicode.Scalar) -> Bool {
        offset < bytes.count && bytes[offset] == UInt8(ascii: scalar)
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    func position(at offset: Int) -> SourcePosition {
        position(at: offset, from: SourcePosition(offset: 0, line: 1, column: 1))
    }

    /// The position at `offset`, counting on from `known`, an earlier position (so positions found in increasing
    /// order cost linear time in all).
    func position(at offset: Int, from known: SourcePosition) -> SourcePosition {
        guard known.offset <= offset else { return position(at: offset) }
        var line = known.line
        var column = known.column
        for byte in bytes[min(known.offset, bytes.count)..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        return SourcePosition(offset: offset, line: line, column: column)
    }

    /// A syntax error at `offset`; `message` receives the position's description to place in its sentence.
    func error(at offset: Int, _ message: (String) -> String) -> PromQLSyntaxError {
        let position = position(at: offset)
        return PromQLSyntaxError(message: message(position.description), position: position)
    }

    /// The character starting at `offset`, quoted for a message, or its code point when it is a control character.
    func characterDescription(at offset: Int) -> String {
        let lead = at(offset)
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        let character = text(offset..<min(offset + length, bytes.count))
        guard let scalar = character.unicodeScalars.first else { return "the end of the query" }
        if scalar.value < 0x20 || scalar.value == 0x7F {
            return "U+" + hexDigits(scalar.value, width: 4)
        }
        return "\"\(character)\""
    }
}

/// `value` in uppercase hexadecimal, zero-padded to at least `width` digits.
func hexDigits(_ value: UInt32, width: Int) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - hex.count)) + hex
}

extension UInt8 {
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isHexDigit: Bool { isDigit || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66) }
    var isLetter: Bool { self | 0x20 >= 0x61 && self | 0x20 <= 0x7A }
    /// `[a-zA-Z_]`: may start a label name.
    var isLabelStart: Bool { isLetter || self == UInt8(ascii: "_") }
    /// `[a-zA-Z0-9_]`: may continue a label name; also what may not directly follow a number or a duration.
    var isLabelCharacter: Bool { isLabelStart || isDigit }
    /// `[a-zA-Z_:]`: may start a metric name outside braces.
    var isMetricStart: Bool { isLabelStart || self == UInt8(ascii: ":") }
    /// `[a-zA-Z0-9_:]`: may continue a metric name outside braces.
    var isMetricCharacter: Bool { isLabelCharacter || self == UInt8(ascii: ":") }
    var isSpace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
