/// A failure the plugin reports itself, with the exit status it maps to.
///
/// Exit statuses: 0 for any verdict, 1 for bad input (and runtime failures), 2 for usage errors.
public struct CLIError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure, which fixes the exit status.
    public enum Kind: Sendable, Equatable {
        /// The input (a replay file, a token file, …) is malformed: exit 1.
        case badInput
        /// The command line is wrong: exit 2.
        case usage
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Bad input: exit 1.
    public static func badInput(_ message: String) -> CLIError { CLIError(.badInput, message) }
    /// A usage error: exit 2.
    public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

    /// The process exit status.
    public var exitStatus: Int32 {
        switch kind {
        case .badInput: 1
        case .usage: 2
        }
    }

    public var description: String { message }
}
