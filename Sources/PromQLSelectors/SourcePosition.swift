/// A place in a query: the byte offset into its UTF-8 text, and the 1-based line and column a person would count
/// (columns count Unicode scalars, so a non-ASCII character is one column).
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// 0-based offset into the query's UTF-8 bytes.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column within `line`.
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `column 14` on the first line, `line 2, column 3` after it.
    public var description: String {
        line == 1 ? "column \(column)" : "line \(line), column \(column)"
    }
}
