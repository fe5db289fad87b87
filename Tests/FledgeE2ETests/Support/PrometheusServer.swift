import Foundation
import KubeJSON

/// The last observation of a poll, for its timeout message.
final class LastSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var text = "nothing yet"
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue } }
    }
}

/// A real Prometheus (Debian's binary) with its own config file, TSDB folder and port. It can be stopped and
/// started again on the same port with the same TSDB, as a Prometheus that goes down and comes back does.
final class PrometheusServer: @unchecked Sendable {
    let name: String
    let port: Int
    let configFile: String
    let dataDirectory: String
    let logDirectory: URL
    private let lock = NSLock()
    private var process: ManagedProcess?

    var address: String { "http://127.0.0.1:\(port)" }

    private init(name: String, port: Int, configFile: String, dataDirectory: String, logDirectory: URL) {
        self.name = name
        self.port = port
        self.configFile = configFile
        self.dataDirectory = dataDirectory
        self.logDirectory = logDirectory
    }

    /// Starts Prometheus with `configFile` and waits until `/-/ready` answers.
    static func start(name: String, configFile: String, logDirectory: URL) async throws -> PrometheusServer {
        let data = logDirectory.appendingPathComponent("\(name)-tsdb").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let server = PrometheusServer(name: name, port: try E2EPaths.freePort(), configFile: configFile,
                                      dataDirectory: data, logDirectory: logDirectory)
        try await server.start()
        return server
    }

    /// A Prometheus that scrapes nothing: every query about the app answers "no series".
    static func startEmpty(name: String, logDirectory: URL) async throws -> PrometheusServer {
        let config = logDirectory.appendingPathComponent("\(name).yml").path
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs: []

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return try await start(name: name, configFile: config, logDirectory: logDirectory)
    }

    /// Starts (or starts again) the process and waits for readiness: `/-/ready` answering, then, when the config
    /// has scrape targets, a first successful scrape (`up == 1`).
    func start() async throws {
        let process = try ManagedProcess.start(
            name: name, executable: try E2EPaths.prometheus(),
            arguments: [
                "--config.file=\(configFile)",
                "--storage.tsdb.path=\(dataDirectory)",
                "--web.listen-address=127.0.0.1:\(port)",
                "--log.level=warn",
            ],
            logDirectory: logDirectory)
        lock.withLock { self.process = process }
        try await waitUntil("\(name) at \(address) to be ready", timeout: .seconds(60), interval: .milliseconds(100),
                            describe: { process.logTail(1500) }) {
            if !process.isRunning {
                throw E2EError("\(self.name) exited while starting: \(process.logTail(1500))")
            }
            return await HTTP.answers200("\(self.address)/-/ready")
        }
        let config = (try? String(contentsOfFile: configFile, encoding: .utf8)) ?? ""
        if config.contains("targets:") {
            try await waitUntil("\(name) at \(address) to scrape its targets once (up == 1)", timeout: .seconds(30),
                                interval: .milliseconds(250), describe: { await self.scrapeHealth() }) {
                try await self.seriesCount("up == 1") > 0
            }
        }
    }

    /// Stops the process (SIGTERM); the TSDB stays for a restart.
    func stop() async {
        let process = lock.withLock { self.process }
        await process?.stop()
    }

    /// The URL of an instant query.
    func queryURL(_ query: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "\(address)/api/v1/query?query=\(query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query)"
    }

    /// The number of series an instant query returns (throws on an HTTP error).
    func seriesCount(_ query: String) async throws -> Int {
        let response = try await HTTP.request(queryURL(query))
        guard response.status == 200 else { throw E2EError("\(name): HTTP \(response.status) for \(query): \(response.body)") }
        return try JSONValue(parsing: response.body).at("data.result")?.arrayValue?.count ?? 0
    }

    /// Waits until an instant query (e.g. a vector selector) returns at least one series.
    func waitForSeries(_ query: String, timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("\(name) to have a series for \(query)", timeout: timeout, interval: .milliseconds(250)) {
            // count(...) keeps the answer to one sample, however many series match.
            try await self.seriesCount("count(\(query))") > 0
        }
    }

    /// Waits until Prometheus holds at least `samples` scrapes of `version`'s stable track of `service` in
    /// `namespace`. The analysis fixes its latency thresholds from stable's histogram before the canary starts,
    /// so a new version applied right after the previous promotion would find no baseline.
    func waitForBaseline(service: String, namespace: String, version: String, samples: Int = 5,
                         timeout: Duration = .seconds(90)) async throws {
        let selector = "http_server_request_duration_seconds_count{service_name=\"\(service)\",service_namespace=\"\(namespace)\","
            + "deployment_track=\"stable\",service_version=\"\(version)\"}"
        let query = "max(count_over_time(\(selector)[1m]))"
        let url = queryURL(query)
        let seen = LastSeen()
        try await waitUntil("\(samples) scrapes of \(service) \(version) (stable) in \(name)", timeout: timeout,
                            interval: .milliseconds(500), describe: { "\(seen.value); \(await self.scrapeHealth())" }) {
            let response = try await HTTP.request(url)
            guard response.status == 200 else {
                seen.value = "HTTP \(response.status) for \(query)"
                return false
            }
            let json = try JSONValue(parsing: response.body)
            let value = json.at("data.result[0].value[1]")?.stringValue.flatMap(Double.init) ?? 0
            seen.value = "\(Int(value)) scrapes in the last minute"
            return value >= Double(samples)
        }
    }

    /// Each scrape target's health, last error and last scrape's duration (`/api/v1/targets`): what a wait for
    /// samples that do not come shows, e.g. scrapes that time out on a busy machine.
    func scrapeHealth() async -> String {
        guard let response = try? await HTTP.request("\(address)/api/v1/targets"), response.status == 200,
              let targets = (try? JSONValue(parsing: response.body))?.at("data.activeTargets")?.arrayValue else {
            return "\(name): targets unknown"
        }
        if targets.isEmpty { return "\(name): no scrape targets" }
        return targets.map { target in
            let duration = target["lastScrapeDuration"]?.doubleValue.map { String(format: "%.3f s", $0) } ?? "-"
            let error = target["lastError"]?.stringValue ?? ""
            return "\(name) target \(target.string("scrapeUrl") ?? "?"): \(target.string("health") ?? "?"), last scrape took \(duration)"
                + (error.isEmpty ? "" : ", last error: \(error)")
        }.joined(separator: "; ")
    }
}
