/// A vector selector found in a query, such as `http_requests_total{job="api"}` or, in `rate(x[5m])`, `x` with
/// the range `5m`.
public struct VectorSelector: Sendable, Equatable {
    /// The metric name written before the braces, if any (a `__name__` matcher stays among `matchers`).
    public var metricName: String?
    /// The matchers between the braces, in source order, with decoded values.
    public var matchers: [LabelMatcher]
    /// The range when the selector is a range vector, like `5m` in `x[5m]`; nil for an instant vector and for a
    /// subquery range (`x[10m:1m]`).
    public var range: String?
    /// Where the selector's text (metric name through closing brace) lies in the query's UTF-8 bytes.
    public var sourceRange: Range<Int>
    /// Where the selector starts, for messages.
    public var position: SourcePosition

    public init(
        metricName: String?, matchers: [LabelMatcher], range: String? = nil, sourceRange: Range<Int>,
        position: SourcePosition
    ) {
        self.metricName = metricName
        self.matchers = matchers
        self.range = range
        self.sourceRange = sourceRange
        self.position = position
    }
}
