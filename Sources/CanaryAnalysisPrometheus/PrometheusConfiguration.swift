import CanaryAnalysis
import Foundation

/// Where and how to read the OpenTelemetry HTTP server metric from Prometheus.
public struct PrometheusConfiguration: Sendable, Equatable {
    /// How to authenticate.
    public enum Authentication: Sendable, Equatable {
        case none
        case bearer(token: String)
        case basic(username: String, password: String)
    }

    /// Base URL of the Prometheus server, e.g. http://prometheus:9090.
    public var address: URL
    public var authentication: Authentication = .none
    /// PEM file of a CA to trust in addition to the system's (for https addresses).
    public var caFile: String?
    /// Per-request timeout.
    public var timeout: Duration = .seconds(10)
    /// The metric's base name; `_count` and `_bucket` are appended.
    public var metric: String = "http_server_request_duration_seconds"
    /// Label carrying `deployment.track` (`stable` | `canary`).
    public var trackLabel: String = "deployment_track"
    /// Label carrying `service.version`; nil to not filter by version.
    public var versionLabel: String? = "service_version"
    /// Label carrying `service.name`.
    public var serviceLabel: String = "service_name"
    /// Label carrying the namespace; nil to ignore the target's namespace.
    public var namespaceLabel: String? = "service_namespace"
    /// Label carrying `http.route`.
    public var routeLabel: String = "http_route"
    /// Label carrying the HTTP status code; 5xx is an error.
    public var statusCodeLabel: String = "http_response_status_code"
    /// Label carrying `error.type`; any non-empty value is an error.
    public var errorTypeLabel: String = "error_type"
    /// When resource attributes (track, version, service) are not promoted to labels on the metric,
    /// read them from `target_info` and join on `job` and `instance`.
    public var joinTargetInfo: Bool = false
    /// How long after an interval's end its last scrape is certain to have landed; callers wait this
    /// long before asking for an interval (the provider refuses intervals ending later than now − lag).
    public var lag: Duration = .seconds(15)
    /// How far before an interval's start to look for each series' last sample at or before the start.
    /// At least one scrape interval; Prometheus's own lookback of 5 minutes is a safe default.
    public var lookback: Duration = .seconds(300)
    /// The metric carrying resource attributes, used when `joinTargetInfo` is on.
    public var targetInfoMetric: String = "target_info"

    public init(address: URL) {
        self.address = address
    }
}
