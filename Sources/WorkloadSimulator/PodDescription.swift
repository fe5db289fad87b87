import Foundation
import Kube

/// What the simulator needs to know about one Pod: identity, whether it serves traffic, and the app's view of
/// itself — its OpenTelemetry resource (from the container env, exactly as an OpenTelemetry SDK in the pod
/// would read it) and its ``PodBehaviour``.
///
/// `service.version` and `deployment.track` come **only** from `OTEL_RESOURCE_ATTRIBUTES`: that is what
/// proves Fledge's tagging of the pods works end to end. `service.name` is `OTEL_SERVICE_NAME`, else the
/// `service.name` attribute, else the pod label `fledge.dev/rollout`, else `app`, else the pod name's owner
/// prefix; `service.namespace` is the attribute, else the pod's namespace.
public struct PodDescription: Sendable, Equatable {
    public var name: String
    public var namespace: String
    /// The pod's UID (a pod recreated under the same name is a new process); the namespaced name when missing.
    public var uid: String
    /// `Ready` condition True.
    public var ready: Bool
    /// `metadata.deletionTimestamp` set.
    public var deleting: Bool
    public var serviceName: String
    public var serviceNamespace: String
    public var serviceVersion: String?
    public var deploymentTrack: String?
    /// The resource attributes the app would report: the parsed `OTEL_RESOURCE_ATTRIBUTES` plus the resolved
    /// `service.name`, `service.namespace`, `k8s.pod.name` and `k8s.namespace.name`.
    public var resourceAttributes: [String: String]
    /// The app's behaviour, from the first container's env.
    public var behaviour: PodBehaviour
    /// Problems with the env (malformed resource attributes, invalid `DEMO_*` values).
    public var problems: [String]

    /// Serves traffic: Ready and not being deleted.
    public var serving: Bool { ready && !deleting }

    public init(pod: Pod) {
        name = pod.metadata.name ?? ""
        namespace = pod.metadata.namespace ?? "default"
        uid = pod.metadata.uid ?? "\(namespace)/\(name)"
        ready = pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
        deleting = pod.metadata.deletionTimestamp != nil

        let containers = pod.spec?.containers ?? []
        func literalEnvironment(_ container: Container) -> [String: String] {
            var environment: [String: String] = [:]
            for variable in container.env ?? [] {
                if let value = variable.value { environment[variable.name] = value }
            }
            return environment
        }
        let environments = containers.map(literalEnvironment)
        /// The first container that sets `key` (an SDK in that container reads it).
        func otel(_ key: String) -> String? { environments.lazy.compactMap { $0[key] }.first }

        let parsed = otel("OTEL_RESOURCE_ATTRIBUTES").map(ResourceAttributes.init(parsing:)) ?? ResourceAttributes()
        problems = parsed.problems.map { "OTEL_RESOURCE_ATTRIBUTES: \($0)" }
        behaviour = PodBehaviour(environment: environments.first ?? [:])
        problems += behaviour.problems

        let labels = pod.metadata.labels ?? [:]
        let otelServiceName = otel("OTEL_SERVICE_NAME").flatMap { $0.isEmpty ? nil : $0 }
        serviceName = otelServiceName ?? parsed["service.name"] ?? labels["fledge.dev/rollout"] ?? labels["app"]
            ?? Self.ownerPrefix(of: pod)
        serviceNamespace = parsed["service.namespace"] ?? namespace
        serviceVersion = parsed["service.version"]
        deploymentTrack = parsed["deployment.track"]

        var attributes = parsed.values
        attributes["service.name"] = serviceName
        attributes["service.namespace"] = serviceNamespace
        attributes["k8s.pod.name"] = attributes["k8s.pod.name"] ?? name
        attributes["k8s.namespace.name"] = attributes["k8s.namespace.name"] ?? namespace
        resourceAttributes = attributes
    }

    /// The workload a pod name belongs to: `web-5d8f7c9b4-x2x7q` → `web` (its ReplicaSet's name without the
    /// pod-template hash), `job-abcde` → `job`.
    static func ownerPrefix(of pod: Pod) -> String {
        let name = pod.metadata.name ?? ""
        if let hash = pod.metadata.labels?["pod-template-hash"], !hash.isEmpty,
           let range = name.range(of: "-\(hash)-", options: .backwards) {
            return String(name[..<range.lowerBound])
        }
        if let owner = pod.metadata.ownerReferences?.first(where: { $0.controller == true }) ?? pod.metadata.ownerReferences?.first {
            if owner.kind == "ReplicaSet", let dash = owner.name.lastIndex(of: "-") { return String(owner.name[..<dash]) }
            return owner.name
        }
        if let dash = name.lastIndex(of: "-"), dash != name.startIndex { return String(name[..<dash]) }
        return name
    }
}
