@testable import PromQLSelectors

/// The confinement most tests enforce.
let teamA: [LabelMatcher] = [.equal("namespace", "team-a")]

/// `query` confined to namespace team-a.
func confine(_ query: String, to enforced: [LabelMatcher] = teamA) throws -> String {
    try PromQLSelectors.enforce(enforced, in: query)
}

/// The message of the syntax error `selectors(in:)` throws for `query`, or nil when it parses.
func syntaxError(_ query: String) -> String? {
    do {
        _ = try PromQLSelectors.selectors(in: query)
        return nil
    } catch {
        return error.description
    }
}

/// The enforcement error for `query`, or nil when it is confined.
func enforcementError(_ query: String, enforcing enforced: [LabelMatcher] = teamA) -> PromQLEnforcementError? {
    do {
        _ = try PromQLSelectors.enforce(enforced, in: query)
        return nil
    } catch {
        return error
    }
}

/// Metric names of the selectors of `query`, `{}` for a selector without one.
func selectorNames(_ query: String) throws -> [String] {
    try PromQLSelectors.selectors(in: query).map { $0.metricName ?? "{}" }
}
