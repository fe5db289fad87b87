/// A query the selector parser cannot read unambiguously: the message says what was found, where, and what was
/// expected, e.g. `unterminated string starting at column 14`.
public struct PromQLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole human message, position included.
    public var message: String
    /// Where the problem is (for an unclosed string or bracket: where it was opened).
    public var position: SourcePosition

    public init(message: String, position: SourcePosition) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
