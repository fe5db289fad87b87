import AsyncHTTPClient
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a test's Prometheus could not be found or started, with what to do about it.
public struct PrometheusTestingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where Debian's `prometheus` binary is: `$PROMETHEUS_BIN` if set, else `prometheus` on the PATH, else
/// /usr/bin/prometheus (`make deps` installs it).
public enum PrometheusBinary {
    public static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROMETHEUS_BIN"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw PrometheusTestingError("PROMETHEUS_BIN=\(explicit) is not an executable file; unset it to use the prometheus that `make deps` installs")
            }
            return explicit
        }
        let candidates = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/prometheus" } + ["/usr/bin/prometheus"]
        if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
        throw PrometheusTestingError("the prometheus binary was not found (looked at $PROMETHEUS_BIN, the PATH and /usr/bin/prometheus); "
            + "install it with `make deps` (hack/deps.sh installs Debian's prometheus package)")
    }
}

/// Ports on the loopback interface.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (reserved, then released: another process may
    /// take it afterwards; use ``reserve()`` for a port that must stay closed).
    public static func free() throws -> Int {
        let reserved = try reserve()
        reserved.release()
        return reserved.port
    }

    /// A TCP port on 127.0.0.1 bound (not listening) until ``ReservedPort/release()``: connections to it are
    /// refused, and no other process can take it meanwhile.
    public static func reserve() throws -> ReservedPort {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw PrometheusTestingError("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = bound == 0 ? withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        } : -1
        guard named == 0 else {
            close(fd)
            throw PrometheusTestingError("binding a loopback port failed: \(errno)")
        }
        return ReservedPort(port: Int(UInt16(bigEndian: address.sin_port)), descriptor: fd)
    }
}

/// A loopback port held by a bound socket until released.
public final class ReservedPort: Sendable {
    public let port: Int
    private let descriptor: Int32

    init(port: Int, descriptor: Int32) {
        self.port = port
        self.descriptor = descriptor
    }

    public func release() { close(descriptor) }
}

/// A real Prometheus for a test: Debian's binary on a free loopback port, its TSDB and log in a temporary folder
/// that ``stop()`` deletes. ``start(configFile:)`` returns once `/-/ready` answers 200.
public final class PrometheusProcess: Sendable {
    public let port: Int
    public let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    public var address: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts Prometheus scraping `127.0.0.1:port` every second (labels as the target sends them).
    public static func start(scraping port: Int) async throws -> PrometheusProcess {
        let directory = try makeDirectory()
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fledge-test
                honor_labels: true
                static_configs:
                  - targets: ["127.0.0.1:\(port)"]
            """.write(to: configFile, atomically: true, encoding: .utf8)
        return try await start(configFile: configFile.path, in: directory)
    }

    /// Starts Prometheus with `configFile`.
    public static func start(configFile: String) async throws -> PrometheusProcess {
        try await start(configFile: configFile, in: try makeDirectory())
    }

    private static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fledge-prometheus-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func start(configFile: String, in directory: URL) async throws -> PrometheusProcess {
        let logFile = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PrometheusBinary.path())
        process.arguments = [
            "--config.file=\(configFile)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let prometheus = PrometheusProcess(port: port, directory: directory, process: process)
        do {
            try await prometheus.waitUntilReady()
        } catch {
            await prometheus.stop()
            throw error
        }
        return prometheus
    }

    /// The end of the server's log.
    public func logTail(_ characters: Int = 2000) -> String {
        String(((try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? "").suffix(characters))
    }

    /// Polls `/-/ready` every 100 ms; fails with the server's log if it exits or is not ready within
    /// ``TestTimeouts/scaled(_:)`` of 30 s (it is ready in about 0.1 s on an idle machine).
    private func waitUntilReady() async throws {
        let limit = Duration.seconds(30)
        let deadline = ContinuousClock.now + TestTimeouts.scaled(limit)
        var lastSeen = "no answer yet"
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                throw PrometheusTestingError("prometheus exited with status \(process.terminationStatus) while starting:\n\(logTail())")
            }
            let request = HTTPClientRequest(url: "\(address.absoluteString)/-/ready")
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(2))
                if response.status.code == 200 { return }
                lastSeen = "HTTP \(response.status.code)"
            } catch {
                lastSeen = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PrometheusTestingError("prometheus at \(address.absoluteString) was not ready (GET /-/ready answering 200) within "
            + "\(TestTimeouts.describe(limit)); last seen: \(lastSeen); log:\n\(logTail())")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its folder.
    public func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
