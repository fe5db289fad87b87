import BenchSupport
import Foundation

/// The command line of `fledge-bench-controller`, and the sizes of the run it selects.
struct Options: Sendable {
    var output: String?
    var quick = false
    /// Reconcile workers of the controller (`fledge-controller --workers`, default 4).
    var workers = 4
    /// The controller's client-side rate limit; nil keeps `ClientConfiguration`'s default (what
    /// `fledge-controller` runs with, since it has no flag for it). 0 disables the limit.
    /// fledge-controller's defaults (`--kube-api-qps 200 --kube-api-burst 400`).
    var qps: Double? = 200
    var burst: Int? = 400
    /// The `fledge-emulator` executable (default: next to this one).
    var emulator: String?
    /// Give the template a container port, so each Rollout also gets its three Services.
    var ports = false

    /// Rollouts at rest: the first size, then the second (created on top of the first).
    var restSizes: [Int] { quick ? [100, 1_000] : [1_000, 10_000] }
    /// Rollouts whose template is updated at once (the first ones created).
    var progressing: Int { quick ? 100 : 1_000 }
    /// Of those, canaries whose error rate jumps tenfold at a known instant.
    let badCanaries = 10
    /// How long idle CPU is sampled once everything is Healthy.
    var idleSeconds: Int { quick ? 10 : 30 }
    /// Analysis interval and window of the progressing Rollouts.
    let intervalSeconds = 5
    var analysisSeconds: Int { quick ? 40 : 60 }
    let replicas = 2
    /// Namespaces the Rollouts are spread over (`bench-00` ...).
    let namespaces = 10
    /// Concurrent create/patch requests of the load client.
    let loadConcurrency = 16
    /// Longest wait for a phase to converge before the run fails.
    var convergeTimeout: Double { quick ? 900 : 3_600 }

    static let usage = """
        usage: fledge-bench-controller [--output PATH] [--quick] [--workers N] [--qps Q] [--burst B]
                                       [--emulator PATH] [--ports]
          --output PATH     also write the markdown report to PATH
          --quick           a smoke run: 100 then 1,000 Rollouts at rest, 100 progressing, shorter windows
          --workers N       controller reconcile workers (default 4, as fledge-controller)
          --qps Q           the controller client's rate limit (default 200, as fledge-controller's
                            --kube-api-qps; 0 disables it)
          --burst B         the controller client's burst (default 400, as --kube-api-burst)
          --emulator PATH   the fledge-emulator executable (default: next to this executable)
          --ports           give the template a container port (each Rollout then owns 3 Services too)
        """

    init(arguments: [String]) throws(OptionsError) {
        var rest = arguments[...]
        func value(_ flag: String) throws(OptionsError) -> String {
            guard let v = rest.popFirst() else { throw .message("\(flag) needs a value") }
            return v
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--output": output = try value(flag)
            case "--quick": quick = true
            case "--ports": ports = true
            case "--workers":
                guard let n = Int(try value(flag)), n > 0 else { throw .message("--workers needs a positive integer") }
                workers = n
            case "--qps":
                guard let q = Double(try value(flag)), q >= 0 else { throw .message("--qps needs a number ≥ 0") }
                qps = q
            case "--burst":
                guard let b = Int(try value(flag)), b > 0 else { throw .message("--burst needs a positive integer") }
                burst = b
            case "--emulator": emulator = try value(flag)
            case "--help", "-h": throw .help
            default: throw .message("unknown argument \(flag)")
            }
        }
    }

    /// The flags of this run, as typed.
    var flags: String {
        var f: [String] = []
        if quick { f.append("--quick") }
        f.append("--workers \(workers)")
        if let qps { f.append("--qps \(Report.num(qps))") }
        if let burst { f.append("--burst \(burst)") }
        if ports { f.append("--ports") }
        return f.joined(separator: " ")
    }

    /// The command that reproduces a report made with these options.
    var reproduceCommand: String {
        if !quick, workers == 4, qps == nil, burst == nil, !ports { return "make bench-controller" }
        return "swift build -c release --product fledge-emulator --product fledge-bench-controller && .build/release/fledge-bench-controller \(flags)"
    }
}

