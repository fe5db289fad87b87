/// Finds the vector selectors of a PromQL query and confines a query to label values by adding equality matchers
/// to every selector, editing only the selectors' text.
///
/// This is tenant confinement: `enforce([.equal("namespace", "team-a")], in: query)` makes every series the query
/// reads come from namespace `team-a`, or throws. Selectors are found by a lexer and a selector-level parser of
/// PromQL as Prometheus 2.42 reads it, never by matching text; what the parser cannot place is an error.
public enum PromQLSelectors: Sendable {
    /// Every vector selector in `query`, in source order: its metric name if any, its matchers with decoded values,
    /// its range when it is a range vector, and where it is in the query.
    public static func selectors(in query: String) throws(PromQLSyntaxError) -> [VectorSelector] {
        try SelectorParser.parse(SourceText(query)).map(\.selector)
    }

    /// `query` with `enforced` (equality matchers) added to every selector that does not already have them; every
    /// other byte of `query` is kept. A query without selectors (`vector(1)`, `1 + 1`) reads no series and is
    /// returned unchanged.
    ///
    /// A selector that already has an enforced label with the same value (`namespace="team-a"`, however the string
    /// is written) keeps that matcher and gets no duplicate; one whose matcher on an enforced label could select
    /// anything else (`namespace="other"`, `namespace!="x"`, `namespace=~"…"`, `namespace!~"…"`) is an error.
    ///
    /// Where matchers go: `metric` becomes `metric{namespace="team-a"}`, `metric{}` becomes
    /// `metric{namespace="team-a"}`, and `{a="b"}` becomes `{a="b", namespace="team-a"}` (inserted after the last
    /// matcher, so a trailing comma stays last).
    public static func enforce(_ enforced: [LabelMatcher], in query: String) throws(PromQLEnforcementError) -> String {
        let source = SourceText(query)
        let insertions = try insertions(enforcing: enforced, in: source)
        guard !insertions.isEmpty else { return query }
        var result: [UInt8] = []
        result.reserveCapacity(source.bytes.count + insertions.reduce(0) { $0 + $1.text.utf8.count })
        var copied = 0
        for insertion in insertions {
            result.append(contentsOf: source.bytes[copied..<insertion.offset])
            result.append(contentsOf: insertion.text.utf8)
            copied = insertion.offset
        }
        result.append(contentsOf: source.bytes[copied...])
        return String(decoding: result, as: UTF8.self)
    }

    /// A piece of text `enforce` adds at a UTF-8 offset of the original query.
    struct Insertion: Sendable, Equatable {
        var offset: Int
        var text: String
    }

    /// What `enforce` inserts, in increasing offset order (one insertion per selector at most).
    static func insertions(enforcing enforced: [LabelMatcher], in source: SourceText) throws(PromQLEnforcementError)
        -> [Insertion]
    {
        let enforced = try validated(enforced)
        let parsed: [ParsedSelector]
        do throws(PromQLSyntaxError) {
            parsed = try SelectorParser.parse(source)
        } catch {
            throw .syntax(error)
        }
        var insertions: [Insertion] = []
        for selector in parsed {
            var missing: [LabelMatcher] = []
            for label in enforced {
                var present = false
                for (matcher, offset) in zip(selector.selector.matchers, selector.matcherOffsets)
                where matcher.name == label.name {
                    guard matcher == label else {
                        throw .conflictingMatcher(
                            existing: matcher, enforced: label, position: source.position(at: offset))
                    }
                    present = true
                }
                if !present { missing.append(label) }
            }
            guard !missing.isEmpty else { continue }
            let list = missing.map(\.description).joined(separator: ", ")
            switch selector.insertionPoint {
            case .afterName(let offset): insertions.append(Insertion(offset: offset, text: "{" + list + "}"))
            case .intoEmptyBraces(let offset): insertions.append(Insertion(offset: offset, text: list))
            case .afterLastMatcher(let offset): insertions.append(Insertion(offset: offset, text: ", " + list))
            }
        }
        return insertions
    }

    /// `enforced` without repeats, after checking each is an equality on a label name other than `__name__` and no
    /// two disagree.
    private static func validated(_ enforced: [LabelMatcher]) throws(PromQLEnforcementError) -> [LabelMatcher] {
        guard !enforced.isEmpty else { throw .noEnforcedMatchers }
        var result: [LabelMatcher] = []
        for matcher in enforced {
            guard matcher.op == .equal else {
                throw .invalidEnforcedMatcher(matcher, reason: "only equality matchers (=) can be enforced")
            }
            guard LabelMatcher.isValidLabelName(matcher.name) else {
                throw .invalidEnforcedMatcher(matcher, reason: "\"\(matcher.name)\" is not a label name")
            }
            guard matcher.name != "__name__" else {
                throw .invalidEnforcedMatcher(matcher, reason: "the metric name cannot be enforced")
            }
            if let earlier = result.first(where: { $0.name == matcher.name }) {
                guard earlier == matcher else {
                    throw .invalidEnforcedMatcher(matcher, reason: "it contradicts \(earlier)")
                }
                continue
            }
            result.append(matcher)
        }
        return result
    }
}
