import Testing

@testable import PromQLSelectors

@Suite("Enforcement errors")
struct EnforcementErrorTests {
    @Test(arguments: [
        (#"x{namespace="other"} or y"#, #"the query selects namespace="other" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace!="x"}"#, #"the query selects namespace!="x" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace=~".*"}"#, #"the query selects namespace=~".*" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace=~"team-a|other"}"#, #"the query selects namespace=~"team-a|other" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace=~"team-a"}"#, #"the query selects namespace=~"team-a" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace!~"team-b"}"#, #"the query selects namespace!~"team-b" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace="team-a\"x"}"#, #"the query selects namespace="team-a\"x" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace=""}"#, #"the query selects namespace="" at column 3; this controller confines queries to namespace="team-a""#),
        (#"x{namespace="team-a", namespace!="b"}"#, #"the query selects namespace!="b" at column 23; this controller confines queries to namespace="team-a""#),
        (#"y + sum(rate({__name__="x",namespace='other'}[5m]))"#, #"the query selects namespace="other" at column 28; this controller confines queries to namespace="team-a""#),
    ])
    func conflictingMatchers(query: String, message: String) {
        #expect(enforcementError(query)?.description == message)
    }

    @Test func conflictReportsTheMatchers() {
        #expect(
            enforcementError("sum(\n  x{namespace=\"other\"}\n)")
                == .conflictingMatcher(
                    existing: .equal("namespace", "other"), enforced: .equal("namespace", "team-a"),
                    position: SourcePosition(offset: 9, line: 2, column: 5)))
    }

    @Test func valuesAreComparedScalarByScalar() {
        // The Kelvin sign is canonically equivalent to "K" for Swift's ==, but Prometheus compares bytes.
        let enforced: [LabelMatcher] = [.equal("namespace", "team-K")]
        #expect(enforcementError(#"x{namespace="team-\u212A"}"#, enforcing: enforced) != nil)
        #expect(enforcementError(#"x{namespace="team-K"}"#, enforcing: enforced) == nil)
        #expect(enforcementError("x{namespace=\"caf\u{E9}\"}", enforcing: [.equal("namespace", "cafe\u{301}")]) != nil)
    }

    @Test func otherLabelsAreNotRestricted() throws {
        #expect(try confine(#"x{job!~"a|b", name=~".*", __name__=~".+"}"#) == #"x{job!~"a|b", name=~".*", __name__=~".+", namespace="team-a"}"#)
    }

    @Test(arguments: [
        ([LabelMatcher](), "no label matchers to enforce"),
        ([LabelMatcher(name: "namespace", op: .regexMatch, value: "team-.*")], #"cannot enforce namespace=~"team-.*": only equality matchers (=) can be enforced"#),
        ([.equal("1bad", "x")], #"cannot enforce 1bad="x": "1bad" is not a label name"#),
        ([.equal("name-space", "x")], #"cannot enforce name-space="x": "name-space" is not a label name"#),
        ([.equal("__name__", "x")], #"cannot enforce __name__="x": the metric name cannot be enforced"#),
        ([.equal("namespace", "a"), .equal("namespace", "b")], #"cannot enforce namespace="b": it contradicts namespace="a""#),
    ])
    func invalidEnforcedMatchers(enforced: [LabelMatcher], message: String) {
        #expect(enforcementError("x", enforcing: enforced)?.description == message)
        #expect(enforcementError("vector(1)", enforcing: enforced)?.description == message)
    }
}
