/// Settings of a ``WorkloadSimulatorService`` (the `fledge-workload` flags).
public struct WorkloadSimulatorConfiguration: Sendable {
    /// Requests per second each service receives in total, split over its serving pods.
    public var rate: Double = 200
    /// Where the HTTP server listens; port 0 picks a free port.
    public var listen = ListenAddress(host: "127.0.0.1", port: 0)
    /// Seed of every pod's random stream.
    public var seed: UInt64 = 1
    /// How often the pods are listed.
    public var pollInterval: Duration = .milliseconds(500)
    /// How often counters advance between scrapes (every scrape and `/state` also advances them first).
    public var tickInterval: Duration = .milliseconds(200)
    /// Where to write a `prometheus.yml` scraping this simulator, once the port is known.
    public var prometheusConfigPath: String?
    /// The scrape interval written in that file.
    public var scrapeInterval: Duration = .seconds(1)

    public init() {}
}
