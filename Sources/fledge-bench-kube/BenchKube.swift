import BenchSupport
import Foundation

/// `fledge-bench-kube`: measures the in-process Kubernetes API emulator and the Kube client (request rates,
/// watch fan-out, memory, Deployment codec) and prints a markdown table; `--output PATH` writes the report.
@main
struct BenchKube {
    static func main() async {
        await BenchMain.run("fledge-bench-kube", usage: Options.usage, parse: Options.init(arguments:)) { options in
            let date = Date()
            let results = try await Benchmark(options: options).run()
            let report = Report(options: options, results: results)
            print(report.table)
            print("run time: \(Report.secs(results.totalSeconds))")
            try BenchMain.write(report.document(date: date), to: options.output, name: "fledge-bench-kube")
        }
    }
}
