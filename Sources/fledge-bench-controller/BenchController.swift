import Foundation

/// `fledge-bench-controller`: the Rollout controller at scale against `fledge-emulator` (a child process): memory,
/// idle CPU and convergence at rest, decision → patch latency and failure → rollback time while Rollouts progress.
/// Prints the tables; `--output PATH` writes the report.
@main
struct BenchController {
    static func main() async {
        let options: Options
        do {
            options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            switch error {
            case .help:
                print(Options.usage)
                return
            case .message(let m):
                FileHandle.standardError.write(Data("fledge-bench-controller: \(m)\n\(Options.usage)\n".utf8))
                exit(2)
            }
        }
        do {
            let date = Date()
            let results = try await Benchmark(options: options).run()
            let report = Report(options: options, results: results)
            print(report.text)
            print("run time: \(Report.secs(results.totalSeconds))")
            if let path = options.output {
                try report.document(date: date).write(toFile: path, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("fledge-bench-controller: wrote \(path)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("fledge-bench-controller: failed: \(error)\n".utf8))
            exit(1)
        }
    }
}
