import Foundation

/// Object name rules and random name suffixes.
enum Names {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Five characters like the real server's `generateName` suffixes.
    static func randomSuffix(_ n: Int) -> String {
        String((0..<n).map { _ in alphabet.randomElement()! })
    }

    static let subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    /// Whether `name` is valid for `type`; the message of the first problem otherwise.
    static func validate(_ name: String, type: ResourceType) -> String? {
        let labelOnly = type.group.isEmpty && (type.resource == "namespaces" || type.resource == "services")
        if labelOnly {
            if name.count > 63 { return "must be no more than 63 characters" }
            return isLabel(name) ? nil : labelMessage
        }
        if type.group == "rbac.authorization.k8s.io" {
            return name.contains("/") || name == "." || name == ".." ? "may not contain '/'" : nil
        }
        if name.count > 253 { return "must be no more than 253 characters" }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel(String($0)) } ? nil : subdomainMessage
    }

    static func isLabel(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        let ok = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber) }
        return ok(first) && ok(last) && s.allSatisfy { ok($0) || $0 == "-" }
    }
}
