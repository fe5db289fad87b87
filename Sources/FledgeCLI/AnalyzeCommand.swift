import ArgumentParser
import CanaryAnalysis
import CanaryAnalysisPrometheus
import Foundation

/// `kubectl fledge analyze`: runs the canary analysis on a replay file of per-interval counts,
/// or live against Prometheus, and prints the decision after every interval and the verdict.
public struct AnalyzeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the canary analysis on recorded counts (--replay) or live against Prometheus (--prometheus).",
        discussion: """
            Replay: kubectl fledge analyze --replay FILE [-o json]. FILE holds one JSON object per \
            interval (see docs/replay-format.md); '-' reads standard input.

            Live: kubectl fledge analyze --prometheus URL --service NAME --stable-version V1 \
            --canary-version V2 [--interval 1m] [--duration 10m]. The plan is fixed from stable's \
            traffic in the baseline window ending now; then every interval is judged once its data \
            is complete (its end plus --lag).

            Exit status: 0 for any verdict, 1 for bad input, 2 for usage errors.
            """
    )

    @Option(help: ArgumentHelp("Replay per-interval counts from a JSON-lines file ('-' for standard input).", valueName: "file"))
    public var replay: String?

    @Option(help: ArgumentHelp("Replay: conclude after the first N canary intervals (default: all in the file).", valueName: "n"))
    public var budget: Int?

    @Option(name: [.short, .long], help: ArgumentHelp("Output format: json (one object per line). Default: a human summary.", valueName: "format"))
    public var output: OutputFormat?

    @OptionGroup(title: "Analysis")
    public var analysis: AnalysisOptions

    @OptionGroup(title: "Live (Prometheus)")
    public var live: LiveOptions

    public init() {}

    public func validate() throws {
        if output == .yaml {
            throw ValidationError("analyze prints a stream of decisions and does not support -o yaml; use -o json (one object per line)")
        }
        switch (replay, live.prometheus) {
        case (nil, nil):
            throw ValidationError("give --replay FILE or --prometheus URL")
        case (_?, _?):
            throw ValidationError("--replay and --prometheus cannot be combined")
        case (_?, nil):
            if live.anyGiven {
                throw ValidationError("--service, --namespace, --stable-version, --canary-version, --bearer-token-file and --ca-file need --prometheus")
            }
        case (nil, _?):
            if budget != nil { throw ValidationError("--budget is for --replay; a live analysis uses --duration") }
            try live.validateLive()
        }
        if let budget, budget < 1 { throw ValidationError("--budget must be at least 1, got \(budget)") }
    }

    public func run() async throws {
        let console = Console.current
        let configuration = try analysis.configuration()
        let reporter = makeReporter(output: output, console: console)
        if let replay {
            let lines: [ReplayLine]
            do {
                lines = try ReplayDecoder().decode(try Self.read(replay))
            } catch {
                throw CLIError.badInput("\(replay): \(error)")
            }
            _ = try ReplayAnalysis(configuration: configuration, budget: budget).run(lines, reporter: reporter)
        } else {
            let provider: PrometheusProvider
            do {
                provider = try PrometheusProvider(configuration: try live.prometheusConfiguration())
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.badInput("cannot set up the Prometheus client: \(error)")
            }
            let loop = LiveAnalysis(
                provider: provider,
                baselineSource: { target, start, end in await provider.baseline(for: target, from: start, to: end) },
                target: live.target, configuration: configuration,
                interval: live.interval.duration, intervals: live.intervalCount,
                baselineWindow: live.baselineWindow.duration, lag: live.lag.duration)
            do {
                _ = try await loop.run(reporter: reporter)
            } catch {
                await provider.shutdown()
                throw error
            }
            await provider.shutdown()
        }
    }

    /// The file's text, or standard input's for '-'.
    static func read(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ReplayError(line: nil, "cannot read the file: \(error.localizedDescription)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReplayError(line: nil, "the file is not UTF-8 text")
        }
        return text
    }
}
