import BenchSupport
/// The command line: `[--output PATH] [--runs-scale X] [--quick] [--help]`.
struct Options: Sendable {
    var output: String?
    /// Multiplies every case's run count.
    var runsScale = 1.0
    var quick = false
    /// Passes over 30 intervals in the timing measurement.
    var timingPasses: Int { quick ? 20 : 300 }
    /// The effective multiplier of run counts.
    var effectiveScale: Double { runsScale * (quick ? 0.05 : 1) }

    static let usage = """
        usage: fledge-bench-analysis [--output PATH] [--runs-scale X] [--quick]
          --output PATH     also write the markdown report to PATH
          --runs-scale X    multiply every case's number of runs by X (e.g. 0.1 for a smoke run)
          --quick           a smoke run: 5% of the runs and a short timing loop
        """

    /// Parses the arguments (without the program name); throws a message on bad input.
    init(arguments: [String]) throws(OptionsError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--output":
                guard let path = rest.popFirst() else { throw .message("--output needs a path") }
                output = path
            case "--runs-scale":
                guard let text = rest.popFirst(), let value = Double(text), value > 0, value.isFinite else {
                    throw .message("--runs-scale needs a positive number")
                }
                runsScale = value
            case "--quick":
                quick = true
            case "--help", "-h":
                throw .help
            default:
                throw .message("unknown argument \(flag)")
            }
        }
    }

    /// The command that reproduces a report made with these options.
    var reproduceCommand: String {
        if runsScale == 1 && !quick { return "make bench-analysis" }
        var flags = ""
        if quick { flags += " --quick" }
        if runsScale != 1 { flags += " --runs-scale \(runsScale)" }
        return "swift build -c release --product fledge-bench-analysis && .build/release/fledge-bench-analysis\(flags)"
    }
}

