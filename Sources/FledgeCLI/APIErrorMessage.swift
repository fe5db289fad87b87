import Kube

/// What a failed API call was trying to do, so its error can say it: the verb, the resource, the object and the
/// namespace.
struct APICall: Sendable, Equatable {
    /// `get`, `list`, `watch`, `patch`.
    var verb: String
    /// `rollouts.fledge.dev`, `deployments.apps`, `events`.
    var resource: String
    var name: String?
    /// nil: all namespaces.
    var namespace: String?

    static func rollout(_ verb: String, _ name: String?, in namespace: String?) -> APICall {
        APICall(verb: verb, resource: "rollouts.fledge.dev", name: name, namespace: namespace)
    }

    /// `rollouts.fledge.dev "web" in namespace "shop"`, `rollouts.fledge.dev in all namespaces`.
    var target: String {
        var text = resource
        if let name { text += " \"\(name)\"" }
        text += namespace.map { " in namespace \"\($0)\"" } ?? " in all namespaces"
        return text
    }
}

/// Turns errors from the Kubernetes client into the plugin's messages (exit 1), each with the API's reason.
enum APIErrorMessage {
    static func cliError(_ error: any Error, _ call: APICall, server: String? = nil) -> CLIError {
        if let error = error as? CLIError { return error }
        return CLIError.badInput(message(error, call, server: server))
    }

    static func message(_ error: any Error, _ call: APICall, server: String? = nil) -> String {
        guard let kube = error as? KubeError else {
            if let config = error as? KubeConfigError { return "\(config)" }
            return "cannot \(call.verb) \(call.target): \(error)"
        }
        let said = kube.message.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
        let reason = kube.reason.flatMap { $0.isEmpty ? nil : $0 }
        switch kube {
        case .notFound(let status):
            // A missing object names itself in details; a missing resource type (no CRD) does not.
            let objectMissing = call.name != nil && (status.details?.name == call.name || status.message?.contains("\"\(call.name!)\"") == true)
            if objectMissing || call.name == nil && status.details?.name != nil {
                let kind = call.resource == "rollouts.fledge.dev" ? "rollout" : call.resource
                return "\(kind) \"\(call.name ?? "")\" not found in namespace \"\(call.namespace ?? "")\" (\(reason ?? "NotFound"))"
            }
            return "the server does not serve \(call.resource) (\(reason ?? "NotFound")\(said)); is the Fledge CRD installed? (kubectl apply -k crds/)"
        case .forbidden:
            return "forbidden: you may not \(call.verb) \(call.target) (\(reason ?? "Forbidden")\(said))"
        case .unauthorized:
            return "unauthorized: the API server did not accept the credentials of this kubeconfig context (\(reason ?? "Unauthorized")\(said))"
        case .transport(let detail):
            return "cannot reach the API server\(server.map { " at \($0)" } ?? ""): \(detail)"
        case .decoding(let detail):
            return "cannot read the answer to \(call.verb) \(call.target): \(detail)"
        default:
            return "cannot \(call.verb) \(call.target): \(reason ?? "HTTP \(kube.code ?? 0)")\(said)"
        }
    }
}
