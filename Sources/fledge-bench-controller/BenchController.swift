import BenchSupport
import Foundation

/// `fledge-bench-controller`: the Rollout controller at scale against `fledge-emulator` (a child process): memory,
/// idle CPU and convergence at rest, decision → patch latency and failure → rollback time while Rollouts progress.
/// Prints the tables; `--output PATH` writes the report.
@main
struct BenchController {
    static func main() async {
        await BenchMain.run("fledge-bench-controller", usage: Options.usage, parse: Options.init(arguments:)) { options in
            let date = Date()
            let results = try await Benchmark(options: options).run()
            let report = Report(options: options, results: results)
            print(report.text)
            print("run time: \(Report.secs(results.totalSeconds))")
            try BenchMain.write(report.document(date: date), to: options.output, name: "fledge-bench-controller")
        }
    }
}
