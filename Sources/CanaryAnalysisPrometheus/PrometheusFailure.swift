/// Why a query against Prometheus gave no usable answer. The reason is shown to users as a
/// `noData` reason, so it never contains credentials.
struct PrometheusFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence saying what went wrong.
    var reason: String

    init(_ reason: String) { self.reason = reason }

    var description: String { reason }

    /// The same failure with `context` ("counting canary requests: …") in front.
    func prefixed(_ context: String) -> PrometheusFailure {
        PrometheusFailure(context + ": " + reason)
    }
}
