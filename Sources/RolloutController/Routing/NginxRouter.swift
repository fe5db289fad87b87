import Kube
import KubeJSON
import RolloutAPI

/// Splits traffic with the NGINX Ingress Controller's canary Ingresses.
///
/// The user's Ingress (the route) sends traffic to the stable Service; NGINX sends a share of it elsewhere when a
/// second Ingress for the same hosts and paths carries `nginx.ingress.kubernetes.io/canary: "true"` and
/// `nginx.ingress.kubernetes.io/canary-weight`. Fledge owns that second Ingress, `<ingress>-canary`: it copies the
/// user's class, hosts and TLS and only the paths (and default backend) that send to the stable Service, pointed at
/// the canary Service instead. It is written by server-side apply with force, so every write also repairs an edited
/// copy; the user's Ingress is only ever read.
public struct NginxRouter: TrafficRouter {
    /// `"true"` makes an Ingress a canary of the Ingress for the same host and path.
    public static let canaryAnnotation = "nginx.ingress.kubernetes.io/canary"
    /// The canary's share, a whole number from 0 to 100.
    public static let canaryWeightAnnotation = "nginx.ingress.kubernetes.io/canary-weight"
    /// The class annotation older Ingresses use instead of `spec.ingressClassName`; copied when the user's has it.
    public static let ingressClassAnnotation = "kubernetes.io/ingress.class"

    public let client: KubeClient
    /// The field manager of the canary Ingress's server-side applies.
    public let fieldManager: String

    public init(client: KubeClient, fieldManager: String) {
        self.client = client
        self.fieldManager = fieldManager
    }

    /// The name of the canary Ingress Fledge keeps for the user's Ingress `ingress`.
    public static func canaryIngressName(for ingress: String) -> String { "\(ingress)-canary" }

    public func read(_ target: RouteTarget) async throws -> RouteObservation {
        switch try await current(for: target) {
        case .observation(let observation): observation
        case .missing: .weights(RouteWeights(canary: [0]))
        case .live(let live, let desired): desired.observation(of: live)
        }
    }

    /// Applies the canary Ingress with `weight` (clamped to 0...100) as the user's Ingress is now. Creates nothing
    /// when the user's Ingress is missing or unusable, and never takes over an Ingress of that name Fledge did not
    /// create.
    public func setWeight(_ weight: Int, on target: RouteTarget) async throws -> RouteObservation {
        let desired: NginxCanaryIngress
        var liveVersion: String?
        switch try await current(for: target) {
        case .observation(let observation): return observation
        case .missing(let canary): desired = canary  // not there yet: the apply creates it
        case .live(let live, let canary):
            if let problem = canary.foreignOwnership(of: live) { return .unusable(problem) }
            desired = canary
            liveVersion = live[path: ["metadata", "resourceVersion"]]?.stringValue
        }
        var manifest = try desired.manifest(weight: min(max(weight, 0), 100))
        // The canary Ingress as just read is a precondition the server enforces (a deposed leader's write fails).
        if let liveVersion, !liveVersion.isEmpty { manifest[path: ["metadata", "resourceVersion"]] = .string(liveVersion) }
        do {
            let written: DynamicObject = try await client.patch(
                .ingresses, name: desired.name, namespace: desired.namespace,
                .apply(manifest),
                options: WriteOptions(fieldManager: fieldManager, force: true))
            return desired.observation(of: written.json)
        } catch KubeError.forbidden(let status) {
            return .unusable("not allowed to write \(desired.label): \(status.message ?? "forbidden")")
        }
    }

    /// Deletes the canary Ingress, which sends everything back to the user's Ingress and so to the stable Service.
    /// An Ingress of that name Fledge did not create is left alone.
    public func cleanUp(_ target: RouteTarget) async throws {
        let name = Self.canaryIngressName(for: target.route.name)
        let namespace = target.route.namespace
        let live: DynamicObject
        do {
            live = try await client.get(.ingresses, name: name, namespace: namespace)
        } catch KubeError.notFound {
            return
        } catch KubeError.forbidden {
            // Not ours to read: nothing this controller can restore (its own canary Ingress, owned by the Rollout,
            // is garbage-collected with it).
            return
        }
        guard NginxCanaryIngress.isOwned(live.json, by: target.rollout) else { return }
        do {
            try await client.delete(.ingresses, name: name, namespace: namespace,
                                    options: DeleteOptions(preconditionUID: live.metadata.uid,
                                                           preconditionResourceVersion: live.metadata.resourceVersion))
        } catch KubeError.notFound {
            return
        } catch KubeError.forbidden {
            return
        }
    }

    /// The canary Ingress as it is and as it should be, or what to report instead.
    private enum Current {
        case live(JSONValue, NginxCanaryIngress)
        case missing(NginxCanaryIngress)
        case observation(RouteObservation)
    }

    private func current(for target: RouteTarget) async throws -> Current {
        let desired: NginxCanaryIngress
        switch try await desiredCanary(for: target) {
        case .observation(let observation): return .observation(observation)
        case .canary(let canary): desired = canary
        }
        do {
            let live: DynamicObject = try await client.get(.ingresses, name: desired.name, namespace: desired.namespace)
            return .live(live.json, desired)
        } catch KubeError.notFound {
            return .missing(desired)
        } catch KubeError.forbidden(let status) {
            return .observation(.unusable("not allowed to read \(desired.label): \(status.message ?? "forbidden")"))
        }
    }

    /// The canary Ingress to keep, or what to report instead.
    private enum Desired {
        case canary(NginxCanaryIngress)
        case observation(RouteObservation)
    }

    private func desiredCanary(for target: RouteTarget) async throws -> Desired {
        let user: DynamicObject
        do {
            user = try await client.get(.ingresses, name: target.route.name, namespace: target.route.namespace)
        } catch KubeError.notFound {
            return .observation(.notFound("\(target.route) not found"))
        } catch KubeError.forbidden(let status) {
            return .observation(.unusable("not allowed to read \(target.route): \(status.message ?? "forbidden")"))
        }
        guard let canary = NginxCanaryIngress(copying: user.json, for: target) else {
            return .observation(.unusable(
                "\(target.route) sends no path to the Service \(target.stableService): point a path (or its default backend) "
                    + "at \(target.stableService) for Fledge to split that traffic with the canary Ingress "
                    + "\(Self.canaryIngressName(for: target.route.name))"))
        }
        return .canary(canary)
    }
}

/// The canary Ingress Fledge keeps for a user's Ingress, derived from it (no I/O): what to apply, and how to read
/// back what a live copy sends to the canary.
struct NginxCanaryIngress: Sendable, Equatable {
    var name: String
    var namespace: String
    /// The user's Ingress it is the canary of.
    var route: RouteReference
    var rollout: String
    var owner: OwnerReference?
    var ingressClassName: JSONValue?
    var classAnnotation: String?
    /// The user's rules that send somewhere to the stable Service, with only those paths, pointed at the canary.
    var rules: [JSONValue]
    var tls: JSONValue?
    var defaultBackend: JSONValue?
    /// Each place the user's Ingress sends to the stable Service: a host and the canary's path entry for it, or the
    /// default backend (path nil).
    var splits: [Split]

    struct Split: Sendable, Equatable {
        var host: JSONValue?
        var path: JSONValue?
        var defaultBackend: JSONValue?
    }

    /// `Ingress shop/web-canary`.
    var label: String { "Ingress \(namespace)/\(name)" }

    /// Nil when no path or default backend of `user` sends to the stable Service.
    init?(copying user: JSONValue, for target: RouteTarget) {
        let spec = user["spec"] ?? [:]
        let annotations = user[path: ["metadata", "annotations"]]
        name = NginxRouter.canaryIngressName(for: target.route.name)
        namespace = target.route.namespace
        route = target.route
        rollout = target.rollout
        owner = target.owner
        ingressClassName = spec["ingressClassName"]
        classAnnotation = annotations?[NginxRouter.ingressClassAnnotation]?.stringValue
        tls = spec["tls"]
        rules = []
        splits = []

        func toCanary(_ backend: JSONValue?) -> JSONValue? {
            guard var backend, backend[path: ["service", "name"]]?.stringValue == target.stableService else { return nil }
            backend[path: ["service", "name"]] = .string(target.canaryService)
            return backend
        }
        for rule in spec["rules"]?.arrayValue ?? [] {
            var paths: [JSONValue] = []
            for var path in rule[path: ["http", "paths"]]?.arrayValue ?? [] {
                guard let backend = toCanary(path["backend"]) else { continue }
                path["backend"] = backend
                paths.append(path)
                splits.append(Split(host: rule["host"], path: path))
            }
            guard !paths.isEmpty else { continue }
            var copy = rule
            copy["http"] = ["paths": .array(paths)]
            rules.append(copy)
        }
        defaultBackend = toCanary(spec["defaultBackend"])
        if let defaultBackend { splits.append(Split(defaultBackend: defaultBackend)) }
        if splits.isEmpty { return nil }
    }

    /// The whole intent of Fledge's field manager for the canary Ingress at `weight`.
    func manifest(weight: Int) throws -> JSONValue {
        var annotations: [String: JSONValue] = [
            NginxRouter.canaryAnnotation: "true",
            NginxRouter.canaryWeightAnnotation: .string(String(weight)),
        ]
        if let classAnnotation { annotations[NginxRouter.ingressClassAnnotation] = .string(classAnnotation) }
        var metadata: JSONValue = [
            "name": .string(name), "namespace": .string(namespace),
            "labels": [FledgeNames.rolloutLabel: .string(rollout)],
            "annotations": .object(annotations),
        ]
        if let owner { metadata["ownerReferences"] = [try JSONValue(encoding: owner)] }
        var spec: JSONValue = [:]
        if let ingressClassName { spec["ingressClassName"] = ingressClassName }
        if let defaultBackend { spec["defaultBackend"] = defaultBackend }
        if !rules.isEmpty { spec["rules"] = .array(rules) }
        if let tls { spec["tls"] = tls }
        return ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec]
    }

    static func isOwned(_ live: JSONValue, by rollout: String) -> Bool {
        live[path: ["metadata", "labels", FledgeNames.rolloutLabel]]?.stringValue == rollout
    }

    /// Why a live Ingress of the canary's name is not Fledge's to write, when it is not.
    func foreignOwnership(of live: JSONValue) -> String? {
        guard !Self.isOwned(live, by: rollout) else { return nil }
        return "\(label) exists and is not this Rollout's (its label \(FledgeNames.rolloutLabel) is not \"\(rollout)\"): "
            + "Fledge keeps the NGINX canary of \(route) under that name; "
            + "rename or delete that Ingress"
    }

    /// What `live` (the canary Ingress as read or written) sends to the canary at each split of the user's Ingress:
    /// its weight where it carries the split as the user's Ingress is now, 0 where it does not (a path added since
    /// the last write, another class), so a stale copy never reads as being at its weight.
    func observation(of live: JSONValue) -> RouteObservation {
        if let problem = foreignOwnership(of: live) { return .unusable(problem) }
        let annotations = live[path: ["metadata", "annotations"]]
        // Fledge's own object with a broken canary marker or weight: not a problem for the user but a repair for
        // the next write. Until then it may send what its weight annotation says (everything, when that cannot be
        // read), so the canary keeps the pods for it.
        let marked = annotations?[NginxRouter.canaryAnnotation]?.stringValue == "true"
        let weight = annotations?[NginxRouter.canaryWeightAnnotation]?.stringValue.flatMap { Int($0) }.flatMap { (0...100).contains($0) ? $0 : nil }
        guard marked, let weight else { return .weights(RouteWeights(canary: [weight ?? 100], stale: true)) }
        // The class is compared only where the user's Ingress names one (an admission plugin may default ours).
        let sameClass = (ingressClassName == nil || live[path: ["spec", "ingressClassName"]] == ingressClassName)
            && (classAnnotation == nil || annotations?[NginxRouter.ingressClassAnnotation]?.stringValue == classAnnotation)
        let liveRules = live[path: ["spec", "rules"]]?.arrayValue ?? []
        let carried = splits.allSatisfy { split -> Bool in
            guard sameClass else { return false }
            if let backend = split.defaultBackend { return live[path: ["spec", "defaultBackend"]] == backend }
            return liveRules.contains { rule in
                rule["host"] == split.host && (rule[path: ["http", "paths"]]?.arrayValue ?? []).contains { $0 == split.path }
            }
        }
        // A copy out of date (a path added since the last write, another class) still sends its weight where it
        // matches: stale, so the next write brings it up to date.
        return .weights(RouteWeights(canary: [weight], stale: !carried))
    }
}
