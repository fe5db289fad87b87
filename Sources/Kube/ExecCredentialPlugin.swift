import Foundation
import KubeJSON

/// Runs an exec credential plugin (`client.authentication.k8s.io/v1`) and parses the `ExecCredential` it prints.
///
/// The plugin gets our environment plus its `env` entries and `KUBERNETES_EXEC_INFO` (an `ExecCredential` with
/// `spec.interactive: false`, and `spec.cluster.server` when `provideClusterInfo` is set); it must print an
/// `ExecCredential` whose `status` has a `token` or `clientCertificateData` + `clientKeyData`, and optionally an
/// `expirationTimestamp`.
public struct ExecCredentialPlugin: Sendable {
    public let config: ExecConfig
    public let clusterServer: String
    public let environment: [String: String]

    public init(config: ExecConfig, clusterServer: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.clusterServer = clusterServer
        self.environment = environment
    }

    /// What a plugin returned.
    public struct Output: Sendable {
        public var token: Secret?
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: Secret?
        public var expiration: Date?
    }

    /// The `KUBERNETES_EXEC_INFO` document.
    public var execInfo: JSONValue {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo == true { spec["cluster"] = ["server": .string(clusterServer)] }
        return ["apiVersion": .string(config.apiVersion ?? "client.authentication.k8s.io/v1"), "kind": "ExecCredential", "spec": spec]
    }

    /// Runs the plugin (off the cooperative thread pool) and parses its output.
    public func run() async throws -> Output {
        let stdout = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking() })
            }
        }
        return try Self.parse(stdout, command: config.command)
    }

    private func runBlocking() throws -> Data {
        let process = Process()
        process.executableURL = try executableURL()
        process.arguments = config.args ?? []
        var env = environment
        for e in config.env ?? [] { env[e.name] = e.value.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo.jsonString
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw KubeConfigError.execPluginFailed(command: config.command, reason: "cannot start: \(error.localizedDescription)"
                + (config.installHint.map { " (\($0))" } ?? ""))
        }
        // Read stderr concurrently so a chatty plugin cannot fill its pipe and block.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errBox.data.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeConfigError.execPluginFailed(command: config.command, reason: "exit status \(process.terminationStatus): \(message)")
        }
        return data
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }

    private func executableURL() throws -> URL {
        if config.command.contains("/") { return URL(fileURLWithPath: config.command) }
        for dir in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = (String(dir) as NSString).appendingPathComponent(config.command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw KubeConfigError.execPluginFailed(command: config.command, reason: "not found on PATH"
            + (config.installHint.map { " (\($0))" } ?? ""))
    }

    /// Parses an `ExecCredential` (errors never quote the output: it holds secrets).
    public static func parse(_ data: Data, command: String) throws -> Output {
        guard let json = try? JSONValue(parsing: data), json["kind"]?.stringValue == "ExecCredential" else {
            throw KubeConfigError.execPluginFailed(command: command, reason: "output is not an ExecCredential")
        }
        guard let status = json["status"] else {
            throw KubeConfigError.execPluginFailed(command: command, reason: "ExecCredential has no status")
        }
        var output = Output()
        output.token = status["token"]?.stringValue.flatMap { $0.isEmpty ? nil : Secret($0) }
        output.clientCertificatePEM = status["clientCertificateData"]?.stringValue.map { Array($0.utf8) }
        output.clientKeyPEM = status["clientKeyData"]?.stringValue.map { Secret($0) }
        if let ts = status["expirationTimestamp"]?.stringValue {
            guard let date = Timestamp.parse(ts) else {
                throw KubeConfigError.execPluginFailed(command: command, reason: "invalid expirationTimestamp \(ts)")
            }
            output.expiration = date
        }
        if output.token == nil, output.clientCertificatePEM == nil || output.clientKeyPEM == nil {
            throw KubeConfigError.execPluginFailed(command: command, reason: "ExecCredential status has neither a token nor a client certificate and key")
        }
        return output
    }
}

/// RFC 3339 timestamps as Kubernetes writes them (`2024-05-01T10:00:00Z`, optionally with fractional seconds).
enum Timestamp {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
