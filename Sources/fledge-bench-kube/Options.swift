import BenchSupport
/// The command line: `[--output PATH] [--quick] [--help]`, and the sizes of the run they select.
struct Options: Sendable {
    var output: String?
    var quick = false

    /// ConfigMaps created before measuring (no Pods: the object count stays exact).
    var objects: Int { quick ? 1_000 : 10_000 }
    /// Namespaces the ConfigMaps are spread over (`bench-000` ...); watches look at the first one.
    var namespaces: Int { quick ? 10 : 100 }
    /// Concurrent watches, all on the ConfigMaps of `bench-000`.
    var watches: Int { quick ? 100 : 1_000 }
    /// Idle watches on another resource (Secrets) while raw PATCHes of ConfigMaps are timed: what a write pays
    /// for watches it cannot match.
    let idleWatches = 1_000
    /// Concurrent clients for the request-rate measurements (one `KubeClient`, hence one connection, each).
    let clients = 16
    var getRequests: Int { quick ? 4_000 : 40_000 }
    var patchRequests: Int { quick ? 2_000 : 20_000 }
    /// Sequential PATCHes whose watch-event delivery is timed.
    var fanoutPatches: Int { quick ? 20 : 100 }
    /// PATCHes sent by all clients at once to the watched namespace (sustained fan-out).
    var burstPatches: Int { quick ? 50 : 200 }
    /// How long each Deployment codec loop runs, in seconds.
    var codecSeconds: Double { quick ? 0.5 : 3 }

    static let usage = """
        usage: fledge-bench-kube [--output PATH] [--quick]
          --output PATH   also write the markdown report to PATH
          --quick         a smoke run: 1,000 objects, 100 watches, a tenth of the requests
        """

    /// Parses the arguments (without the program name); throws a message on bad input.
    init(arguments: [String]) throws(OptionsError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--output":
                guard let path = rest.popFirst() else { throw .message("--output needs a path") }
                output = path
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
        quick ? "swift build -c release --product fledge-bench-kube && .build/release/fledge-bench-kube --quick" : "make bench-kube"
    }
}

