/// A ``PrometheusConfiguration`` that cannot be used: a bad address, an unreadable CA file,
/// a metric or label name that is not a valid Prometheus name, a non-positive duration.
public struct PrometheusConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
