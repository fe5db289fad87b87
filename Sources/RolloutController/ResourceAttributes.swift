/// `OTEL_RESOURCE_ATTRIBUTES` as the OpenTelemetry specification writes it: `key=value` pairs separated by commas,
/// with `,`, `=` and `%` (and anything not printable ASCII) percent-encoded in values.
public enum ResourceAttributes {
    /// The pairs of `text`, in order; malformed entries (no `=`) are kept verbatim as keys with no value so that
    /// writing them back loses nothing.
    public static func parse(_ text: String) -> [(key: String, value: String?)] {
        text.split(separator: ",", omittingEmptySubsequences: true).map { entry in
            let trimmed = entry.trimmingCharacters(in: " ")
            guard let eq = trimmed.firstIndex(of: "=") else { return (trimmed, nil) }
            return (String(trimmed[..<eq]).trimmingCharacters(in: " "), String(trimmed[trimmed.index(after: eq)...]))
        }
    }

    /// `pairs` written back; values passed through ``encode(_:)`` when `encodeValues` (ours), verbatim otherwise
    /// (the user's, already encoded).
    public static func format(_ pairs: [(key: String, value: String?)]) -> String {
        pairs.map { p in p.value.map { "\(p.key)=\($0)" } ?? p.key }.joined(separator: ",")
    }

    /// `user` with `attributes` set: existing keys replaced in place, new ones appended, every other entry kept
    /// exactly as the user wrote it.
    public static func merge(user: String, setting attributes: [(String, String)]) -> String {
        var pairs = parse(user)
        for (key, value) in attributes {
            let encoded = encode(value)
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                pairs[i].value = encoded
            } else {
                pairs.append((key, encoded))
            }
        }
        return format(pairs)
    }

    /// Percent-encodes `,`, `=`, `%`, and every byte outside printable ASCII.
    public static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: "%"), 0..<0x21, 0x7f...:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            default:
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
