/// Malformed replay input, naming the line (`line 7: ...`).
public struct ReplayError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line number, or nil for a problem with the file as a whole.
    public var line: Int?
    public var message: String

    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "line \($0): \(message)" } ?? message
    }
}
