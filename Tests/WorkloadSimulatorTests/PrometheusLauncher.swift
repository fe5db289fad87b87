import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real Prometheus (Debian's `prometheus` binary, installed by `make deps`; `$PROMETHEUS_BIN` overrides it) run
/// with a given configuration file, its TSDB in a temporary folder that ``stop()`` deletes.
final class PrometheusLauncher: Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    var address: URL { URL(string: "http://127.0.0.1:\(port)")! }

    static func binary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROMETHEUS_BIN"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw EnvironmentError("PROMETHEUS_BIN=\(explicit) is not an executable file")
            }
            return explicit
        }
        let candidates = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/prometheus" } + ["/usr/bin/prometheus"]
        if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
        throw EnvironmentError("the prometheus binary was not found ($PROMETHEUS_BIN, PATH, /usr/bin/prometheus); run `make deps`")
    }

    /// Starts Prometheus with `configFile` and waits until `/-/ready` answers 200.
    static func start(configFile: String) async throws -> PrometheusLauncher {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fledge-workload-prometheus-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logFile = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configFile)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let launcher = PrometheusLauncher(port: port, directory: directory, process: process)
        do {
            try await poll("prometheus ready", seconds: 30) {
                guard process.isRunning else {
                    let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                    throw EnvironmentError("prometheus exited with status \(process.terminationStatus): \(text.suffix(2000))")
                }
                return (try? await httpGet("http://127.0.0.1:\(port)/-/ready").status) == 200
            }
        } catch {
            await launcher.stop()
            throw error
        }
        return launcher
    }

    /// One instant query's result (`data.result`), as JSON.
    func query(_ promql: String) async throws -> [[String: Any]] {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let (status, body) = try await httpGet(components.url!.absoluteString)
        guard status == 200, let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw EnvironmentError("query \(promql) answered \(status): \(body)")
        }
        return result
    }

    /// The value of a one-element vector result, if any.
    func scalar(_ promql: String) async throws -> Double? {
        guard let first = try await query(promql).first, let value = first["value"] as? [Any], value.count == 2,
              let text = value[1] as? String else { return nil }
        return Double(text)
    }

    /// Stops the server (SIGTERM, SIGKILL after 10 s) and deletes its folder.
    func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on now (bound to port 0 on the loopback, then released).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw EnvironmentError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw EnvironmentError("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw EnvironmentError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
