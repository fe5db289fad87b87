/// A selector as the parser found it: the public description plus what enforcement needs to edit the source.
struct ParsedSelector: Sendable {
    /// Where matchers are added, as a UTF-8 offset into the query.
    enum InsertionPoint: Sendable, Equatable {
        /// `metric` without braces: insert `{…}` right after the name, which ends here.
        case afterName(Int)
        /// `metric{}` (possibly with whitespace or comments inside): insert the matchers right after `{`.
        case intoEmptyBraces(Int)
        /// Braces with matchers: insert `, …` right after the last matcher's value (before any trailing comma).
        case afterLastMatcher(Int)

        var offset: Int {
            switch self {
            case .afterName(let offset), .intoEmptyBraces(let offset), .afterLastMatcher(let offset): offset
            }
        }
    }

    var selector: VectorSelector
    /// The UTF-8 offset where each of `selector.matchers` starts, for messages.
    var matcherOffsets: [Int]
    var insertionPoint: InsertionPoint
}
