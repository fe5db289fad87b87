import CanaryAnalysis
import Foundation
import PromQLSelectors

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
    /// How close to each end of an interval a sample must be to stand for the counters' value there.
    ///
    /// An interval `(start, end]` is counted from each series' last sample at or before `start` to its
    /// last sample at or before `end`. When none of a track's series has a sample in
    /// `[start − endTolerance, start]` (or in `[end − endTolerance, end]`), Prometheus or its scrape was
    /// down at that end and the interval is `noData`: counting from an older sample would put the
    /// traffic of the whole outage into this one interval. Set it from the scrape interval with
    /// ``endTolerance(forScrapeInterval:)``; the default is that of a 30-second scrape (65 seconds).
    public var endTolerance: Duration = PrometheusConfiguration.endTolerance(forScrapeInterval: .seconds(30))
    /// How far before an interval's start the series are read, only to tell a series first seen inside
    /// the interval that is new (a new pod, or a first error on a route: it counts from 0) from one that
    /// was scraped before but not near the start (a gap: the interval is `noData`). No sample this old is
    /// ever counted from. A series silent for longer than this that reappears is taken for a new one.
    /// At least `2 × endTolerance` is used.
    public var seriesHistory: Duration = .seconds(600)
    /// The metric carrying resource attributes, used when `joinTargetInfo` is on.
    public var targetInfoMetric: String = "target_info"
    /// Matchers added to every selector of every query before it is sent (tenant confinement, e.g.
    /// `namespace="team-a"`); a query that cannot be confined is not sent. Empty: queries go as written.
    public var enforcedMatchers: [LabelMatcher] = []

    public init(address: URL) {
        self.address = address
    }

    /// The ``endTolerance`` for Prometheus scraping every `scrapeInterval`: two scrape intervals plus
    /// 5 seconds. The last sample at or before an end is normally less than one scrape interval old;
    /// a second interval tolerates one failed or skipped scrape; the 5 seconds absorb late scrapes
    /// (Prometheus stamps a sample when its scrape starts, and a busy server starts late). Two missed
    /// scrapes in a row are an outage. 30 s → 65 s, 15 s → 35 s, 1 s → 7 s.
    public static func endTolerance(forScrapeInterval scrapeInterval: Duration) -> Duration {
        scrapeInterval * 2 + .seconds(5)
    }
}
