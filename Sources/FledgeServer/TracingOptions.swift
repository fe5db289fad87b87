import Foundation

/// Where and as whom to export traces, usually read from the standard OpenTelemetry environment variables.
///
/// Tracing is on when ``tracesEndpoint`` is set: from `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL to which `v1/traces` is appended). `OTEL_SDK_DISABLED=true` or
/// `OTEL_TRACES_EXPORTER=none` turn it off. The service name comes from `OTEL_SERVICE_NAME`, else a
/// `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else `fledge-controller`.
public struct TracingOptions: Sendable, Equatable {
    /// The service name used when the environment names none.
    public static let defaultServiceName = "fledge-controller"

    /// The full OTLP/HTTP URL spans are POSTed to, or `nil` to keep tracing a no-op.
    public var tracesEndpoint: String?
    /// The `service.name` resource attribute.
    public var serviceName: String
    /// Further resource attributes (`OTEL_RESOURCE_ATTRIBUTES`).
    public var resourceAttributes: [String: String]

    /// Whether spans are exported.
    public var isEnabled: Bool { tracesEndpoint != nil }

    /// Creates options from values.
    public init(
        tracesEndpoint: String?,
        serviceName: String = Self.defaultServiceName,
        resourceAttributes: [String: String] = [:]
    ) {
        self.tracesEndpoint = tracesEndpoint
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
    }

    /// Reads the OpenTelemetry environment variables (pass `ProcessInfo.processInfo.environment`).
    public init(environment: [String: String]) {
        let attributes = Self.parseResourceAttributes(environment["OTEL_RESOURCE_ATTRIBUTES"] ?? "")
        let serviceName = Self.nonEmpty(environment["OTEL_SERVICE_NAME"])
            ?? attributes["service.name"].flatMap(Self.nonEmpty)
            ?? Self.defaultServiceName
        let disabled = environment["OTEL_SDK_DISABLED"]?.lowercased() == "true"
            || environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none"
        var endpoint: String?
        if let specific = Self.nonEmpty(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) {
            endpoint = specific
        } else if let base = Self.nonEmpty(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]) {
            endpoint = base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
        }
        self.init(tracesEndpoint: disabled ? nil : endpoint, serviceName: serviceName, resourceAttributes: attributes)
    }

    /// Parses `key1=value1,key2=value2` (values percent-decoded, blanks trimmed, malformed entries skipped).
    static func parseResourceAttributes(_ text: String) -> [String: String] {
        var attributes: [String: String] = [:]
        for entry in text.split(separator: ",") {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let key = entry[..<equals].trimmingCharacters(in: .whitespaces)
            let value = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, let decoded = value.removingPercentEncoding else { continue }
            attributes[key] = decoded
        }
        return attributes
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
