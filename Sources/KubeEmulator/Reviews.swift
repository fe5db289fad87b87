import KubeJSON

/// Answers to review requests: every authenticated caller may do anything (the emulator has no RBAC), and is
/// `fledge-admin` in `system:masters` (the kubeconfig's client certificate) — or `system:anonymous` without TLS.
enum Reviews {
    static func answer(_ body: JSONValue, type: ResourceType, version: String, tls: Bool) -> JSONValue {
        var out = body
        out["apiVersion"] = .string(type.apiVersion(version))
        out["kind"] = .string(type.kind)
        if out["metadata"] == nil { out["metadata"] = [:] }
        switch type.resource {
        case "selfsubjectaccessreviews":
            out["status"] = ["allowed": true, "reason": "the emulator allows every request"]
        default:
            out["status"] = ["userInfo": tls
                ? ["username": "fledge-admin", "groups": ["system:masters", "system:authenticated"]]
                : ["username": "system:anonymous", "groups": ["system:unauthenticated"]]]
        }
        return out
    }
}
