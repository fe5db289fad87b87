/// Why a query could not be confined to the enforced labels.
public enum PromQLEnforcementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The query is not valid PromQL, as far as finding its selectors goes.
    case syntax(PromQLSyntaxError)
    /// A selector already has a matcher on an enforced label that could select another value: a different value,
    /// `!=`, `=~` or `!~`. (An equal matcher with the same value is kept as it is.)
    case conflictingMatcher(existing: LabelMatcher, enforced: LabelMatcher, position: SourcePosition)
    /// The caller's enforced matcher cannot be enforced: not an equality, not a label name, the metric name, or
    /// contradicting another enforced matcher.
    case invalidEnforcedMatcher(LabelMatcher, reason: String)
    /// The caller passed no matchers to enforce; confining to nothing is refused.
    case noEnforcedMatchers

    public var description: String {
        switch self {
        case .syntax(let error):
            return error.description
        case .conflictingMatcher(let existing, let enforced, let position):
            return "the query selects \(existing) at \(position); this controller confines queries to \(enforced)"
        case .invalidEnforcedMatcher(let matcher, let reason):
            return "cannot enforce \(matcher): \(reason)"
        case .noEnforcedMatchers:
            return "no label matchers to enforce"
        }
    }
}
