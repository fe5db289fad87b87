import Foundation

/// Where the commands write. Commands never print directly: they write through
/// ``Console/current``, a task-local value, so tests can run them in-process and capture
/// standard output and standard error separately.
public struct Console: Sendable {
    /// The two output streams.
    public enum Stream: Sendable {
        case standardOutput
        case standardError
    }

    /// Writes text (already including any newline) to a stream.
    public var write: @Sendable (String, Stream) -> Void
    /// Whether standard output is a terminal.
    public var outputIsTerminal: Bool
    /// The environment the command sees (for `NO_COLOR` and `KUBECONFIG`).
    public var environment: [String: String]
    /// The terminal's width in columns, asked each time (it changes when the window is resized); nil when standard
    /// output is not a terminal.
    public var terminalWidth: @Sendable () -> Int?

    public init(
        outputIsTerminal: Bool = false, environment: [String: String] = [:],
        terminalWidth: @escaping @Sendable () -> Int? = { nil },
        write: @escaping @Sendable (String, Stream) -> Void
    ) {
        self.write = write
        self.outputIsTerminal = outputIsTerminal
        self.environment = environment
        self.terminalWidth = terminalWidth
    }

    /// The process's real standard output and error, unbuffered.
    public static let standard = Console(
        outputIsTerminal: isatty(STDOUT_FILENO) == 1,
        environment: ProcessInfo.processInfo.environment,
        terminalWidth: { Console.standardOutputColumns() }
    ) { text, stream in
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    /// The columns of the terminal on standard output (`TIOCGWINSZ`), else `COLUMNS`, else nil.
    static func standardOutputColumns() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init)
    }

    /// The console of the current task.
    @TaskLocal public static var current: Console = .standard

    /// Colour is used only on a terminal, and never when `NO_COLOR` is set.
    public var usesColour: Bool { outputIsTerminal && environment["NO_COLOR"] == nil }

    /// Writes one line to standard output.
    public func print(_ line: String) { write(line + "\n", .standardOutput) }

    /// Writes one line to standard error.
    public func printError(_ line: String) { write(line + "\n", .standardError) }
}
