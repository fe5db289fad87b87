/// Why a query against Prometheus gave no usable answer. The reason is shown to users as a
/// `noData` reason, so it never contains credentials.
struct PrometheusFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence saying what went wrong.
    var reason: String
    /// The samples did not cover the window's start (a series new, gapped or stopped in it): a window
    /// starting later may be counted. Prometheus errors, missing series and bad values are not helped by that.
    var laterStartMayHelp = false

    init(_ reason: String, laterStartMayHelp: Bool = false) {
        self.reason = reason
        self.laterStartMayHelp = laterStartMayHelp
    }

    var description: String { reason }

    /// The same failure with `context` ("counting canary requests: …") in front.
    func prefixed(_ context: String) -> PrometheusFailure {
        PrometheusFailure(context + ": " + reason, laterStartMayHelp: laterStartMayHelp)
    }
}
