import Foundation
import CanaryAnalysis
import Kube
import KubeJSON
import PromQLSelectors

/// A Rollout's spec with every default applied and every field checked: what the controller acts on.
/// Made only by ``RolloutResolver``.
public struct EffectiveRollout: Sendable, Equatable {
    public var replicas: Int
    public var selector: LabelSelector
    /// The user's pod template (an object with `spec.containers`).
    public var template: JSONValue
    /// `spec.version`, else the first container's image tag.
    public var version: String
    /// Hash of `template` (and `version`): which template a Deployment runs.
    public var templateHash: String
    public var paused: Bool
    public var progressDeadline: Duration
    public var steps: [EffectiveStep]
    public var analysis: EffectiveAnalysis
    public var routing: EffectiveRouting
    /// `spec.workloadRef`, when the template is a referenced Deployment's.
    public var workload: EffectiveWorkload? = nil
}

/// One step, resolved.
public enum EffectiveStep: Sendable, Equatable, CustomStringConvertible {
    case setWeight(Int)
    /// nil: until a human promotes.
    case pause(Duration?)
    case analysis(Duration)

    public var description: String {
        switch self {
        case .setWeight(let w): "setWeight \(w)"
        case .pause(nil): "pause"
        case .pause(let d?): "pause \(RolloutDuration.format(d))"
        case .analysis(let d): "analysis \(RolloutDuration.format(d))"
        }
    }
}

/// What the window's end does when the analysis could not decide.
public enum InconclusivePolicy: String, Sendable, CaseIterable {
    case pause, extend, rollback, promote
}

/// `analysis`, resolved.
public struct EffectiveAnalysis: Sendable, Equatable {
    /// nil: no address in the spec and none configured in the controller (valid only when no step analyses).
    public var prometheusAddress: String?
    public var interval: Duration
    public var warmup: Duration
    public var scrapeInterval: Duration
    public var lag: Duration
    public var joinTargetInfo: Bool
    public var onInconclusive: InconclusivePolicy
    public var maxExtensions: Int
    /// `service.name` in telemetry.
    public var service: String
    /// The analysis library's configuration (alpha, per-route, user checks, library defaults for the rest).
    public var configuration: AnalysisConfiguration
    /// Intervals in a row without data before the Rollout is held.
    public var missingDataHold: Int = 3
    /// How long without data before the canary is rolled back; nil: three times the step's window.
    public var missingDataLimit: Duration?
    /// The fresh data each analysis step must add of its own before it may promote.
    public var stepEvidence = StepEvidenceRule()
    /// Label matchers added to every selector of every query sent for this Rollout (the controller's
    /// `--query-namespace-label`: the Rollout's namespace); empty: queries are sent as written.
    public var enforcedMatchers: [LabelMatcher] = []
}

/// How traffic is split.
public enum EffectiveRouting: Sendable, Equatable {
    /// Weight = canary replicas / all replicas behind the Service `<name>`.
    case replicaRatio
    /// Weight = the share a router sends to `<name>-canary` (the rest to `<name>-stable`).
    case router(RouteReference)

    /// The route, when a router splits the traffic.
    public var route: RouteReference? {
        if case .router(let r) = self { return r }
        return nil
    }
}

/// The kinds of router Fledge drives; the raw value is the field under `trafficRouting`.
public enum RouterKind: String, Sendable, CaseIterable {
    case gatewayAPI, istio, nginx

    /// The kind of the object the user names.
    public var objectKind: String {
        switch self {
        case .gatewayAPI: "HTTPRoute"
        case .istio: "VirtualService"
        case .nginx: "Ingress"
        }
    }
}

/// The object a router edits, resolved from `trafficRouting`.
public struct RouteReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var kind: RouterKind
    public var name: String
    public var namespace: String
    /// Istio only: the names of the VirtualService's `http[]` routes to set (empty: every one that routes to both
    /// Services).
    public var routes: [String]

    public init(kind: RouterKind, name: String, namespace: String, routes: [String] = []) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.routes = routes
    }

    /// `HTTPRoute shop/web`.
    public var description: String { "\(kind.objectKind) \(namespace)/\(name)" }
}

/// One thing wrong with a spec, naming the field (`spec.strategy.canary.steps[2].setWeight`).
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Why a Rollout's spec cannot be acted on: every problem found, not just the first.
public struct InvalidRolloutSpec: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [FieldError]
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Controller-wide defaults the spec may leave out.
public struct RolloutDefaults: Sendable, Equatable {
    /// `--prometheus-address`.
    public var prometheusAddress: String?
    public var interval: Duration = .seconds(60)
    public var scrapeInterval: Duration = .seconds(30)
    public var progressDeadline: Duration = .seconds(600)
    /// `--allow-cross-namespace-routes`: whether a Rollout may name a route object in another namespace. Off by
    /// default: a Rollout is then no way to read or write routes outside its own namespace.
    public var crossNamespaceRoutes = false
    /// `--allowed-prometheus-address`: the only Prometheus servers a Rollout may name (the default address is
    /// always allowed). Empty: any http(s) address. A Rollout naming another is an InvalidSpec, and the controller
    /// sends it nothing: whoever may create a Rollout must not make the controller call arbitrary URLs.
    public var allowedPrometheusAddresses: [String] = []
    /// `--query-namespace-label`: a label every series a Rollout's queries read must carry with the Rollout's
    /// namespace as its value. The controller adds the matcher to every selector (a query that cannot be confined
    /// is an InvalidSpec). nil: queries are sent as written.
    public var queryNamespaceLabel: String?

    public init(prometheusAddress: String? = nil, crossNamespaceRoutes: Bool = false,
                allowedPrometheusAddresses: [String] = [], queryNamespaceLabel: String? = nil) {
        self.prometheusAddress = prometheusAddress
        self.crossNamespaceRoutes = crossNamespaceRoutes
        self.allowedPrometheusAddresses = allowedPrometheusAddresses
        self.queryNamespaceLabel = queryNamespaceLabel
    }

    /// Whether `address` is one this controller may query: the default, or one of the allowed (compared as URLs:
    /// scheme and host case-insensitively, the scheme's default port filled in, trailing slashes ignored).
    public func allowsPrometheus(_ address: String) -> Bool {
        guard !allowedPrometheusAddresses.isEmpty else { return true }
        let wanted = Self.normalizedAddress(address)
        return ([prometheusAddress].compactMap { $0 } + allowedPrometheusAddresses).contains { Self.normalizedAddress($0) == wanted }
    }

    /// `scheme://host:port/path` with the scheme and host lower-cased, the port explicit and no trailing slash;
    /// nil for text that is not an http(s) URL with a host.
    static func normalizedAddress(_ address: String) -> String? {
        guard let c = URLComponents(string: address), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = c.host?.lowercased(), !host.isEmpty, c.user == nil, c.password == nil else { return nil }
        let port = c.port ?? (scheme == "https" ? 443 : 80)
        var path = c.path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(host):\(port)\(path)"
    }

    /// The steps used when a Rollout gives none: 5, analysis 10m, 25, analysis 10m, 50, analysis 15m, 100.
    public static let steps: [EffectiveStep] = [
        .setWeight(5), .analysis(.seconds(600)), .setWeight(25), .analysis(.seconds(600)),
        .setWeight(50), .analysis(.seconds(900)), .setWeight(100),
    ]
}
