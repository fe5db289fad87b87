import CanaryAnalysis
import Foundation
import PromQLSelectors

extension RolloutResolver {
    /// The matchers every query of a Rollout in `namespace` gets when the controller confines queries to a
    /// namespace label (`--query-namespace-label`), after checking that each check's query can be confined: it
    /// parses, and no selector asks for another namespace (`namespace="other"`, `!=`, or a regex on the label).
    /// A query that cannot be confined is an error on its field, naming what the controller refused; nothing of it
    /// is ever sent. No label: nothing enforced, queries are sent as written.
    static func queryConfinement(_ checks: [QueryCheck], namespace: String, label: String?, under af: String,
                                 _ errors: inout [FieldError]) -> [LabelMatcher] {
        guard let label, !label.isEmpty else { return [] }
        let enforced = [LabelMatcher.equal(label, namespace)]
        for (i, check) in checks.enumerated() {
            do throws(PromQLEnforcementError) {
                _ = try PromQLSelectors.enforce(enforced, in: PromQLTemplate.filled(check.query))
            } catch {
                errors.append(FieldError("\(af).checks[\(i)].query",
                                         "this controller confines queries to their Rollout's namespace (--query-namespace-label=\(label)): \(error)"))
            }
        }
        return enforced
    }
}
