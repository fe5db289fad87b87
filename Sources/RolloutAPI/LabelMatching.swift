import Kube

/// Label values and selector requirements, as the API server checks them.
public enum LabelMatching {
    /// A valid label value: empty, or at most 63 characters of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func isValidLabelValue(_ value: String) -> Bool {
        if value.isEmpty { return true }
        guard value.utf8.count <= 63 else { return false }
        let allowed = value.unicodeScalars.allSatisfy { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == ".")
        }
        let alnum: (Unicode.Scalar?) -> Bool = { s in s.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) } ?? false }
        return allowed && alnum(value.unicodeScalars.first) && alnum(value.unicodeScalars.last)
    }

    /// `raw` made a valid label value: other characters become `-`, cut to 63, trimmed to alphanumerics at both ends.
    public static func sanitizedLabelValue(_ raw: String) -> String {
        var scalars = String.UnicodeScalarView()
        for s in raw.unicodeScalars {
            let ok = s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == ".")
            scalars.append(ok ? s : "-")
        }
        var out = String(String(scalars).prefix(63))
        let isAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        while let f = out.first, !isAlnum(f) { out.removeFirst() }
        while let l = out.last, !isAlnum(l) { out.removeLast() }
        return out.isEmpty ? "unknown" : out
    }

    /// Whether `labels` satisfy one `matchExpressions` requirement.
    public static func matches(_ r: LabelSelector.Requirement, labels: [String: String]) -> Bool {
        let values = r.values ?? []
        switch r.operator {
        case "In": return labels[r.key].map(values.contains) ?? false
        case "NotIn": return labels[r.key].map { !values.contains($0) } ?? true
        case "Exists": return labels[r.key] != nil
        case "DoesNotExist": return labels[r.key] == nil
        default: return false
        }
    }
}
