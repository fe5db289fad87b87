import Foundation
import NIOCore
import NIOPosix

/// A real Prometheus server run from the Debian `prometheus` binary, scraping one target every
/// second, with its TSDB in a temporary folder that ``stop()`` deletes.
final class PrometheusProcess: Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    var address: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// The binary: `$PROMETHEUS_BIN` if set, else `prometheus` on the PATH, else /usr/bin/prometheus.
    static func binary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROMETHEUS_BIN"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw HarnessError("PROMETHEUS_BIN=\(explicit) is not an executable file; unset it to use the prometheus that `make deps` installs")
            }
            return explicit
        }
        var candidates: [String] = []
        for dir in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/prometheus") }
        candidates.append("/usr/bin/prometheus")
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw HarnessError(
            "the prometheus binary was not found (looked at $PROMETHEUS_BIN, the PATH and /usr/bin/prometheus); "
                + "install it with `make deps` (hack/deps.sh installs Debian's prometheus package)")
    }

    /// Starts Prometheus scraping `127.0.0.1:scrapePort`; see ``waitUntilReady(_:)``.
    static func start(scrapePort: Int) async throws -> PrometheusProcess {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fledge-prometheus-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fledge-test
                honor_labels: true
                static_configs:
                  - targets: ["127.0.0.1:\(scrapePort)"]
            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let logFile = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)

        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return PrometheusProcess(port: port, directory: directory, process: process)
    }

    private var logFile: URL { directory.appendingPathComponent("prometheus.log") }

    /// Polls `ready` (which should GET `/-/ready`) every 100 ms; fails with the server's log if it
    /// exits or is not ready within 30 s.
    func waitUntilReady(_ ready: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw HarnessError("prometheus exited with status \(process.terminationStatus) while starting:\n\(text.suffix(2000))")
            }
            if await ready() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw HarnessError("prometheus was not ready within 30 s:\n\(text.suffix(2000))")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its folder.
    func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on right now (bound to port 0, then released).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw HarnessError("no free port") }
        return port
    }
}
