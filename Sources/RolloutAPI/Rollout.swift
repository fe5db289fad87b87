import Foundation
import CanaryAnalysis
import Kube
import KubeJSON

extension ResourceDescriptor {
    /// `rollouts.fledge.dev/v1alpha1`.
    public static let rollouts = ResourceDescriptor(group: "fledge.dev", version: "v1alpha1", plural: "rollouts",
                                                    namespaced: true, kind: "Rollout")
}

/// `fledge.dev/v1alpha1` Rollout: a pod template that Fledge moves to new versions step by step, gated by
/// canary analysis.
///
/// Decoding never fails on a well-formed object whose `spec` is of the wrong shape: the spec is then nil and
/// ``specDecodingError`` says why, so the controller can report `InvalidSpec` instead of losing the object.
public struct Rollout: Resource, Equatable {
    public static let descriptor = ResourceDescriptor.rollouts

    public var metadata: ObjectMeta
    public var spec: RolloutSpec?
    public var status: RolloutStatus?
    public var originalJSON: JSONValue?
    /// Why `spec` could not be decoded (nil when it could, or when there is none).
    public var specDecodingError: String?
    /// Why `status` could not be decoded: the controller then refuses to act rather than lose the rollout's state.
    public var statusDecodingError: String?

    public init(metadata: ObjectMeta, spec: RolloutSpec? = nil, status: RolloutStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum Keys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        do {
            spec = try c.decodeIfPresent(RolloutSpec.self, forKey: .spec)
        } catch {
            spec = nil
            specDecodingError = RolloutDecodingError.describe(error)
        }
        do {
            status = try c.decodeIfPresent(RolloutStatus.self, forKey: .status)
        } catch {
            status = nil
            statusDecodingError = RolloutDecodingError.describe(error).replacingOccurrences(of: "spec.status", with: "status")
        }
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }

    public static func == (a: Rollout, b: Rollout) -> Bool {
        a.metadata == b.metadata && a.spec == b.spec && a.status == b.status && a.specDecodingError == b.specDecodingError
            && a.statusDecodingError == b.statusDecodingError
    }
}

/// `Rollout.spec`.
public struct RolloutSpec: Codable, Sendable, Equatable {
    /// Pods in total (stable + canary). Default 1.
    public var replicas: Int?
    public var selector: LabelSelector?
    /// The pod template (a PodTemplateSpec), kept as JSON so every field the user sets reaches the Pods.
    public var template: JSONValue?
    /// Instead of `template`: an existing Deployment whose template the Rollout runs (migration from a Deployment).
    public var workloadRef: WorkloadRef?
    /// The version of the template; default: the first container's image tag.
    public var version: String?
    public var paused: Bool?
    /// How long a canary may take to become available before it is rolled back. Default 600.
    public var progressDeadlineSeconds: Int?
    public var strategy: RolloutStrategy?

    public init(replicas: Int? = nil, selector: LabelSelector? = nil, template: JSONValue? = nil, version: String? = nil,
                paused: Bool? = nil, progressDeadlineSeconds: Int? = nil, strategy: RolloutStrategy? = nil,
                workloadRef: WorkloadRef? = nil) {
        self.replicas = replicas
        self.workloadRef = workloadRef
        self.selector = selector
        self.template = template
        self.version = version
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.strategy = strategy
    }
}

/// `spec.strategy`.
public struct RolloutStrategy: Codable, Sendable, Equatable {
    public var canary: CanaryStrategy?
    public init(canary: CanaryStrategy? = nil) { self.canary = canary }
}

/// `spec.strategy.canary`.
public struct CanaryStrategy: Codable, Sendable, Equatable {
    /// Default: 5, analysis 10m, 25, analysis 10m, 50, analysis 15m, 100.
    public var steps: [RolloutStep]?
    public var analysis: AnalysisSpec?
    /// Omitted: replica ratio.
    public var trafficRouting: TrafficRouting?

    public init(steps: [RolloutStep]? = nil, analysis: AnalysisSpec? = nil, trafficRouting: TrafficRouting? = nil) {
        self.steps = steps
        self.analysis = analysis
        self.trafficRouting = trafficRouting
    }
}

/// One entry of `steps[]`: exactly one of `setWeight`, `pause`, `analysis` (checked by validation, not decoding).
public struct RolloutStep: Codable, Sendable, Equatable {
    public var setWeight: Int?
    public var pause: DurationStep?
    public var analysis: DurationStep?

    public init(setWeight: Int? = nil, pause: DurationStep? = nil, analysis: DurationStep? = nil) {
        self.setWeight = setWeight
        self.pause = pause
        self.analysis = analysis
    }

    public static func weight(_ w: Int) -> RolloutStep { RolloutStep(setWeight: w) }
    public static func pause(_ duration: String? = nil) -> RolloutStep { RolloutStep(pause: DurationStep(duration: duration)) }
    public static func analysis(_ duration: String? = nil) -> RolloutStep { RolloutStep(analysis: DurationStep(duration: duration)) }
}

/// `{pause: {duration: "10m"}}` / `{analysis: {duration: "10m"}}`; no duration: pause until resumed, or the
/// default analysis window.
public struct DurationStep: Codable, Sendable, Equatable {
    public var duration: String?
    public init(duration: String? = nil) { self.duration = duration }
}

/// `spec.strategy.canary.analysis`.
public struct AnalysisSpec: Codable, Sendable, Equatable {
    public var prometheus: PrometheusSpec?
    /// Length of one analysis interval. Default "1m".
    public var interval: String?
    /// Wait after the canary becomes available before the first interval. Default: two scrape intervals.
    public var warmup: String?
    /// Overall false-rollback budget. Default 0.02.
    public var alpha: Double?
    public var perRoute: Bool?
    /// User query checks; `{{track}}`, `{{version}}`, `{{service}}`, `{{namespace}}` are substituted escaped.
    public var checks: [QueryCheck]?
    /// `pause` (default), `extend`, `rollback` or `promote`.
    public var onInconclusive: String?
    /// With `onInconclusive: extend`, how many extra windows before pausing. Default 1.
    public var maxExtensions: Int?
    /// The service name in telemetry (`service.name`). Default: the Rollout's name.
    public var service: String?
    /// What intervals without data do: when the Rollout is held, and when the canary is rolled back.
    public var missingData: MissingDataSpec? = nil
    /// The largest regression accepted: a step promotes when the analysis is confident the canary is no worse.
    public var margin: MarginSpec?
    /// False-promotion budget per test that gates promotion. Default: `alpha`.
    public var beta: Double?

    public init(prometheus: PrometheusSpec? = nil, interval: String? = nil, warmup: String? = nil, alpha: Double? = nil,
                perRoute: Bool? = nil, checks: [QueryCheck]? = nil, onInconclusive: String? = nil,
                maxExtensions: Int? = nil, service: String? = nil, margin: MarginSpec? = nil, beta: Double? = nil) {
        self.prometheus = prometheus
        self.interval = interval
        self.warmup = warmup
        self.alpha = alpha
        self.perRoute = perRoute
        self.checks = checks
        self.onInconclusive = onInconclusive
        self.maxExtensions = maxExtensions
        self.service = service
        self.margin = margin
        self.beta = beta
    }
}

/// `analysis.margin`: the largest regression a canary may show and still be promoted.
public struct MarginSpec: Codable, Sendable, Equatable {
    /// Canary error rate at most this many times stable's… Default 2.
    public var errorRatio: Double?
    /// …or stable's plus this many percentage points, whichever is larger. Default 0.5.
    public var errorPoints: Double?
    /// Canary's share of requests over a latency threshold (stable's p99 or p999) at most this many times stable's. Default 2.
    public var latencyRatio: Double?

    public init(errorRatio: Double? = nil, errorPoints: Double? = nil, latencyRatio: Double? = nil) {
        self.errorRatio = errorRatio
        self.errorPoints = errorPoints
        self.latencyRatio = latencyRatio
    }
}

/// `analysis.missingData`: intervals without data never promote; a run of them holds the Rollout, and past a limit
/// the canary is rolled back rather than left with its traffic blind.
public struct MissingDataSpec: Codable, Sendable, Equatable {
    /// Intervals in a row without data before the Rollout is held (MetricsAvailable=False). Default 3.
    public var holdAfter: Int?
    /// How long a Rollout held for missing data waits for it before the canary is rolled back (reason
    /// MetricsUnavailable), counted from the hold. Default: three times the step's analysis window.
    public var rollbackAfter: String?

    public init(holdAfter: Int? = nil, rollbackAfter: String? = nil) {
        self.holdAfter = holdAfter
        self.rollbackAfter = rollbackAfter
    }
}

/// `analysis.prometheus`.
public struct PrometheusSpec: Codable, Sendable, Equatable {
    /// Base URL; default: the controller's `--prometheus-address`.
    public var address: String?
    /// How often Prometheus scrapes the app. Default "30s"; sets the default warm-up and lag.
    public var scrapeInterval: String?
    /// How long after an interval's end its data is certain to be in Prometheus. Default: scrapeInterval + 5s.
    public var lag: String?
    /// Join `target_info` for the resource attributes instead of reading them as metric labels.
    public var joinTargetInfo: Bool?

    public init(address: String? = nil, scrapeInterval: String? = nil, lag: String? = nil, joinTargetInfo: Bool? = nil) {
        self.address = address
        self.scrapeInterval = scrapeInterval
        self.lag = lag
        self.joinTargetInfo = joinTargetInfo
    }
}

/// `spec.strategy.canary.trafficRouting`: omitted means replica ratio.
public struct TrafficRouting: Codable, Sendable, Equatable {
    public var gatewayAPI: GatewayAPIRouting?
    public var istio: IstioRouting?
    public var nginx: NginxRouting?

    public init(gatewayAPI: GatewayAPIRouting? = nil, istio: IstioRouting? = nil, nginx: NginxRouting? = nil) {
        self.gatewayAPI = gatewayAPI
        self.istio = istio
        self.nginx = nginx
    }
}

/// `trafficRouting.gatewayAPI`.
public struct GatewayAPIRouting: Codable, Sendable, Equatable {
    public var httpRoute: NamespacedName?
    public init(httpRoute: NamespacedName? = nil) { self.httpRoute = httpRoute }
}

/// `trafficRouting.istio`.
public struct IstioRouting: Codable, Sendable, Equatable {
    public var virtualService: VirtualServiceRef?
    public init(virtualService: VirtualServiceRef? = nil) { self.virtualService = virtualService }
}

/// `trafficRouting.istio.virtualService`.
public struct VirtualServiceRef: Codable, Sendable, Equatable {
    public var name: String?
    public var routes: [String]?
    public init(name: String? = nil, routes: [String]? = nil) {
        self.name = name
        self.routes = routes
    }
}

/// `trafficRouting.nginx`.
public struct NginxRouting: Codable, Sendable, Equatable {
    public var ingress: String?
    public init(ingress: String? = nil) { self.ingress = ingress }
}

/// A name and an optional namespace (default: the Rollout's).
public struct NamespacedName: Codable, Sendable, Equatable {
    public var name: String?
    public var namespace: String?
    public init(name: String? = nil, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}

/// Turns a `DecodingError` into one line naming the field.
enum RolloutDecodingError {
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out.hasPrefix("spec") ? out : (out.isEmpty ? "spec" : "spec.\(out)")
        }
        switch error as? DecodingError {
        case .typeMismatch(let type, let c)?: return "\(path(c.codingPath)): expected \(type)"
        case .valueNotFound(let type, let c)?: return "\(path(c.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let c)?: return "\(path(c.codingPath + [key])): required"
        case .dataCorrupted(let c)?: return "\(path(c.codingPath)): \(c.debugDescription)"
        default: return "spec: \(error)"
        }
    }
}
