import Foundation

/// A `prometheus.yml` that scrapes the simulator's `/metrics` at a fixed interval with `honor_labels: true`, so
/// a script can start `prometheus --config.file=PATH` right after the simulator is listening.
public struct PrometheusScrapeConfig: Sendable, Equatable {
    public var target: ListenAddress
    public var scrapeInterval: Duration
    public var jobName: String = "fledge-workload"

    public init(target: ListenAddress, scrapeInterval: Duration) {
        self.target = target
        self.scrapeInterval = scrapeInterval
    }

    /// The YAML. The scrape timeout equals the interval (Prometheus requires it not to be longer).
    public var yaml: String {
        let interval = DurationText.prometheus(scrapeInterval)
        return """
            # Written by fledge-workload: scrapes the workload simulator.
            global:
              scrape_interval: \(interval)
              scrape_timeout: \(interval)
              evaluation_interval: \(interval)
            scrape_configs:
              - job_name: \(jobName)
                honor_labels: true
                metrics_path: /metrics
                scrape_interval: \(interval)
                scrape_timeout: \(interval)
                static_configs:
                  - targets: ["\(target.reachable)"]

            """
    }

    /// Writes the YAML to `path` atomically (a reader never sees half a file).
    public func write(to path: String) throws {
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
