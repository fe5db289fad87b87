/// Renders the simulated pods' metrics in the Prometheus text format 0.0.4, in the shape the OpenTelemetry SDK
/// with its Prometheus exporter produces for the HTTP server duration histogram:
///
/// ```
/// http_server_request_duration_seconds_bucket{service_name="shop",service_namespace="prod",service_version="1.2.0",
///   deployment_track="canary",http_route="/api/cart",http_request_method="GET",http_response_status_code="200",
///   k8s_pod_name="shop-canary-7c9d-abcde",le="0.005"} 12
/// ```
///
/// plus `_sum` and `_count`, and one `target_info` gauge per pod whose labels are its resource attributes.
/// A missing `service.version` or `deployment.track` leaves its label out. No label is called `job` or
/// `instance`: Prometheus sets those for the scrape target.
public enum MetricsExposition {
    public static let durationMetric = "http_server_request_duration_seconds"
    public static let targetInfoMetric = "target_info"
    /// The `Content-Type` of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The text for `pods` (series in the order given, then by route and status code).
    public static func render(_ pods: [PodSimulator]) -> String {
        var out = ""
        out += "# HELP \(durationMetric) Duration of HTTP server requests.\n"
        out += "# TYPE \(durationMetric) histogram\n"
        for pod in pods {
            let base = podLabels(pod.description)
            for key in pod.series.keys.sorted() {
                let histogram = pod.series[key]!
                let labels = base + [
                    ("http_route", key.route), ("http_request_method", "GET"),
                    ("http_response_status_code", String(key.statusCode)),
                    ("k8s_pod_name", pod.description.name),
                ]
                let cumulative = histogram.cumulative
                for (i, count) in cumulative.enumerated() {
                    let le = i < DurationHistogram.bounds.count ? formatBound(DurationHistogram.bounds[i]) : "+Inf"
                    out += "\(durationMetric)_bucket\(render(labels + [("le", le)])) \(count)\n"
                }
                out += "\(durationMetric)_sum\(render(labels)) \(formatValue(histogram.sum))\n"
                out += "\(durationMetric)_count\(render(labels)) \(histogram.count)\n"
            }
        }
        out += "# HELP \(targetInfoMetric) Target metadata\n"
        out += "# TYPE \(targetInfoMetric) gauge\n"
        for pod in pods {
            let attributes = pod.description.resourceAttributes
            var labels: [(String, String)] = []
            var seen: Set<String> = []
            for key in attributes.keys.sorted() {
                let name = labelName(key)
                guard name != "job", name != "instance", seen.insert(name).inserted else { continue }
                labels.append((name, attributes[key]!))
            }
            out += "\(targetInfoMetric)\(render(labels)) 1\n"
        }
        return out
    }

    /// The resource labels every series of a pod carries.
    static func podLabels(_ pod: PodDescription) -> [(String, String)] {
        var labels = [("service_name", pod.serviceName), ("service_namespace", pod.serviceNamespace)]
        if let version = pod.serviceVersion { labels.append(("service_version", version)) }
        if let track = pod.deploymentTrack { labels.append(("deployment_track", track)) }
        return labels
    }

    /// `{a="x",b="y"}`, or nothing without labels.
    static func render(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// A label value escaped for the text format: backslash, double quote, newline.
    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// An attribute key as a Prometheus label name, as the OpenTelemetry exporter maps it: every character other
    /// than `[a-zA-Z0-9_]` becomes `_`, and a leading digit gets a `key_` prefix.
    static func labelName(_ key: String) -> String {
        var name = String(key.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        })
        if name.isEmpty || name.first!.isNumber { name = "key_" + name }
        return name
    }

    /// `0.005`, `1`, `2.5`: the shortest form, without a trailing `.0`.
    static func formatBound(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }

    static func formatValue(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
