import Foundation

/// `fledge-bench-kube`: measures the in-process Kubernetes API emulator and the Kube client (request rates,
/// watch fan-out, memory, Deployment codec) and prints a markdown table; `--output PATH` writes the report.
@main
struct BenchKube {
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
                FileHandle.standardError.write(Data("fledge-bench-kube: \(m)\n\(Options.usage)\n".utf8))
                exit(2)
            }
        }
        do {
            let date = Date()
            let results = try await Benchmark(options: options).run()
            let report = Report(options: options, results: results)
            print(report.table)
            print("run time: \(Report.secs(results.totalSeconds))")
            if let path = options.output {
                try report.document(date: date).write(toFile: path, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("fledge-bench-kube: wrote \(path)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("fledge-bench-kube: failed: \(error)\n".utf8))
            exit(1)
        }
    }
}
