/// One simulated app process: a pod's description, its traffic model, its own random stream and its
/// monotonic counters (per route and status code), as the pod's OpenTelemetry SDK would hold them.
public struct PodSimulator: Sendable {
    public private(set) var description: PodDescription
    public private(set) var model: TrafficModel
    /// Per route and status code; a series exists once it has counted a request.
    public private(set) var series: [TrafficModel.SeriesKey: DurationHistogram] = [:]
    public private(set) var requests = 0
    public private(set) var errors = 0
    /// The request rate the pod received in the last advance (0 while not serving).
    public internal(set) var rate = 0.0
    private var random: SimulationRandom

    /// A fresh process for `description`, with a random stream derived from `seed` and the pod's namespace,
    /// name and UID.
    public init(description: PodDescription, seed: UInt64) {
        self.description = description
        model = TrafficModel(behaviour: description.behaviour)
        random = SimulationRandom(seed: seed, stream: "\(description.namespace)/\(description.name)/\(description.uid)")
    }

    /// Takes a newer view of the same pod (readiness, deletion); the process and its counters stay.
    mutating func update(_ newer: PodDescription) {
        if newer.behaviour != description.behaviour { model = TrafficModel(behaviour: newer.behaviour) }
        description = newer
    }

    /// Serves `seconds` of traffic at `rate` requests per second.
    mutating func advance(rate: Double, seconds: Double) {
        self.rate = rate
        guard rate > 0, seconds > 0 else { return }
        for (key, histogram) in model.sample(rate: rate, seconds: seconds, using: &random) {
            series[key, default: DurationHistogram()].add(histogram)
            requests += histogram.count
            if key.statusCode >= 500 { errors += histogram.count }
        }
    }
}
