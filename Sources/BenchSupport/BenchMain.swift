import Foundation

/// Why a benchmark's arguments were not accepted.
public enum OptionsError: Error {
    /// Bad input, in a sentence.
    case message(String)
    /// `--help`: print the usage.
    case help
}

/// What every benchmark executable does around its measurements: parse the arguments, run, report, and exit with
/// the usual codes (0; 2 for bad arguments; 1 when the run fails).
public enum BenchMain {
    /// Parses the options with `parse` (`--help` prints `usage`; bad input prints the message and the usage and
    /// exits 2), then runs `body`, exiting 1 with the error if it throws.
    @MainActor
    public static func run<Options>(_ name: String, usage: String, parse: ([String]) throws(OptionsError) -> Options,
                                    _ body: (Options) async throws -> Void) async {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            switch error {
            case .help:
                print(usage)
                return
            case .message(let message):
                FileHandle.standardError.write(Data("\(name): \(message)\n\(usage)\n".utf8))
                exit(2)
            }
        }
        do {
            try await body(options)
        } catch {
            FileHandle.standardError.write(Data("\(name): failed: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Writes the report to `path` (when one was given) and says so on standard error.
    public static func write(_ report: String, to path: String?, name: String) throws {
        guard let path else { return }
        try report.write(toFile: path, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("\(name): wrote \(path)\n".utf8))
    }
}
