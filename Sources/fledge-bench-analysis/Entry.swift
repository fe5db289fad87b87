import Foundation

/// `fledge-bench-analysis`: replays synthetic canary traffic through Fledge's analysis and the
/// usual threshold rules, side by side, and reports how often each rolls back (see
/// shared/ANALYSIS.md and docs/benchmarks/analysis.md).
@main
struct BenchAnalysis {
    static func main() async {
        let options: Options
        do {
            options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            switch error {
            case .help:
                print(Options.usage)
                return
            case .message(let message):
                FileHandle.standardError.write(Data("fledge-bench-analysis: \(message)\n\(Options.usage)\n".utf8))
                exit(2)
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        // Timing first, while the simulation's tasks are not competing for the cores.
        let timing = ThroughputBenchmark(passes: options.timingPasses)
        let measurements = [timing.hundredTests(), timing.tenRoutesDefault()]
        log("timing done in \(Report.seconds(started.duration(to: clock.now)))")
        let scenarios = Cases.all(scale: options.effectiveScale)
        let totalRuns = scenarios.reduce(0) { $0 + $1.runs }
        log("simulating \(scenarios.count) cases, \(totalRuns) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let runner = Runner(scenarios: scenarios, exposureScenarios: Cases.doublingIndices(scenarios))
        let results = await runner.run()
        log("simulation done in \(Report.seconds(started.duration(to: clock.now)))")
        let elapsed = started.duration(to: clock.now)
        let report = Report(options: options, scenarios: scenarios, results: results,
                            timings: measurements, elapsed: elapsed)
        let text = report.markdown()
        print(text)
        if let path = options.output {
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                log("wrote \(path)")
            } catch {
                log("cannot write \(path): \(error)")
                exit(1)
            }
        }
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data("[bench] \(line)\n".utf8))
    }
}
