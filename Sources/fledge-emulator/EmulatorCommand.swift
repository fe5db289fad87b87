import ArgumentParser
import Foundation
import KubeEmulator

/// `fledge-emulator`: a local Kubernetes API server stand-in.
@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fledge-emulator",
        abstract: "Run a local emulator of the Kubernetes API server (for tests, benchmarks and the demo).")

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig pointing at the emulator to this path.")
    var kubeconfigOut: String?

    @Flag(help: "Serve HTTPS with a generated CA; require a client certificate or the bearer token.")
    var tls = false

    @Option(help: "With --tls: the bearer token to accept (generated when absent).")
    var token: String?

    @Option(name: .customLong("deployment-ready-delay"), help: "How long Deployments take to become ready (e.g. 1s, 500ms, 2m).")
    var deploymentReadyDelay: String = "1s"

    @Option(name: .customLong("bookmark-interval"), help: "How often watches that allow bookmarks get one.")
    var bookmarkInterval: String = "1s"

    @Flag(name: .customLong("no-pods"), help: "Do not create ReplicaSets and Pods for Deployments.")
    var noPods = false

    func run() async throws {
        var config = EmulatorConfiguration()
        config.host = host
        config.port = port
        config.tls = tls
        config.bearerToken = token
        guard let delay = DurationText.parse(deploymentReadyDelay) else {
            throw ValidationError("--deployment-ready-delay: not a duration: \(deploymentReadyDelay)")
        }
        guard let bookmarks = DurationText.parse(bookmarkInterval) else {
            throw ValidationError("--bookmark-interval: not a duration: \(bookmarkInterval)")
        }
        config.deploymentReadyDelay = delay
        config.bookmarkInterval = bookmarks
        config.createPods = !noPods
        let emulator = try await KubeEmulator.start(config)
        if let kubeconfigOut { try emulator.writeKubeconfig(to: kubeconfigOut) }
        if let token = emulator.bearerToken {
            FileHandle.standardError.write(Data("bearer token: \(token)\n".utf8))
        }
        FileHandle.standardOutput.write(Data("listening on \(emulator.url.absoluteString)\n".utf8))
        await Signals.wait(for: [SIGTERM, SIGINT])
        await emulator.shutdown()
    }
}

/// Durations like `1s`, `500ms`, `2m`, `1.5s`.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            if let v = Double(number), v >= 0 { return .milliseconds(Int64((v * factor * 1000).rounded())) }
        }
        if let v = Double(text), v >= 0 { return .milliseconds(Int64((v * 1000).rounded())) }
        return nil
    }
}

/// Waits for the first of some signals.
enum Signals {
    static func wait(for signals: [Int32]) async {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        for await _ in stream { break }
        for s in sources { s.cancel() }
    }
}
