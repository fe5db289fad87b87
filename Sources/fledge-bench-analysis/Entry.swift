import BenchSupport
import Foundation

/// `fledge-bench-analysis`: replays synthetic canary traffic through Fledge's analysis and the
/// usual threshold rules, side by side, and reports how often each rolls back (see
/// shared/ANALYSIS.md and docs/benchmarks/analysis.md).
@main
struct BenchAnalysis {
    static func main() async {
        await BenchMain.run("fledge-bench-analysis", usage: Options.usage, parse: Options.init(arguments:)) { options in
            let clock = ContinuousClock()
            let started = clock.now
            // Timing first, while the simulation's tasks are not competing for the cores.
            let timing = ThroughputBenchmark(passes: options.timingPasses)
            let measurements = [timing.hundredTests(), timing.tenRoutesDefault()]
            log("timing done in \(Report.seconds(started.duration(to: clock.now)))")
            let scenarios = Cases.all(scale: options.effectiveScale)
            let totalRuns = scenarios.reduce(0) { $0 + $1.runs }
            log("simulating \(scenarios.count) cases, \(totalRuns) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores")
            let runner = Runner(scenarios: scenarios)
            let results = await runner.run()
            log("simulation done in \(Report.seconds(started.duration(to: clock.now)))")
            let report = Report(options: options, scenarios: scenarios, results: results,
                                timings: measurements, elapsed: started.duration(to: clock.now))
            let text = report.markdown()
            print(text)
            try BenchMain.write(text, to: options.output, name: "fledge-bench-analysis")
        }
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data("[bench] \(line)\n".utf8))
    }
}
