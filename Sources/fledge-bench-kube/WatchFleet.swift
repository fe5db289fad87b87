import BenchSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Many concurrent raw watches over AsyncHTTPClient (not the Kube client: its watch decodes every event into a
/// typed object, and 1,000 decoders on the same 2 cores would measure the client rather than the emulator).
///
/// Every watch is `GET /api/v1/namespaces/<ns>/configmaps?watch=true&resourceVersion=<now>`: no initial events,
/// just the changes from then on. Each counts newline-terminated events into a ``FanoutTracker``; watcher 0
/// also keeps its lines so that their content can be checked.
final class WatchFleet: Sendable {
    let http: HTTPClient
    let tracker: FanoutTracker
    private let opened = Atomic<Int>(0)
    private let failures = Mutex<[String]>([])
    private let firstWatcherLines = Mutex<[String]>([])
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(watchers: Int, eventsPerWatcher: Int) {
        var config = HTTPClient.Configuration()
        config.httpVersion = .http1Only
        config.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: nil)
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = watchers + 8
        config.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        tracker = FanoutTracker(watchers: watchers, eventsPerWatcher: eventsPerWatcher)
    }

    var openCount: Int { opened.load(ordering: .acquiring) }
    var errors: [String] { failures.withLock { $0 } }
    /// The raw event lines watcher 0 received.
    var sampleLines: [String] { firstWatcherLines.withLock { $0 } }

    /// Opens `tracker.watchers` watches on `url`, at most `batch` connecting at once; returns when all
    /// response heads arrived (the emulator registers a watch before it answers), or throws after `timeout`.
    func open(url: String, batch: Int = 50, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var started = 0
        while started < tracker.watchers {
            let end = min(started + batch, tracker.watchers)
            for w in started..<end { start(watcher: w, url: url) }
            started = end
            while openCount + errors.count < started {
                if ContinuousClock.now > deadline { throw BenchError("only \(openCount) of \(started) watches opened in time") }
                try await Task.sleep(for: .milliseconds(1))
            }
            if let e = errors.first { throw BenchError("a watch failed to open: \(e)") }
        }
    }

    private func start(watcher w: Int, url: String) {
        let task = Task { [self] in
            do {
                let request = HTTPClientRequest(url: url)
                let response = try await http.execute(request, timeout: .hours(1))
                guard response.status == .ok else { throw BenchError("watch answered \(response.status.code)") }
                opened.add(1, ordering: .releasing)
                var partial: [UInt8] = []
                for try await buffer in response.body {
                    let now = Nanos.now()
                    let newlines = buffer.readableBytesView.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                    if w == 0 {  // keep the lines before counting them, so that they are complete once counted
                        partial += buffer.readableBytesView
                        while let nl = partial.firstIndex(of: 10) {
                            let line = String(decoding: partial[..<nl], as: UTF8.self)
                            firstWatcherLines.withLock { $0.append(line) }
                            partial.removeSubrange(...nl)
                        }
                    }
                    if newlines > 0 { tracker.record(watcher: w, events: newlines, at: now) }
                }
            } catch {
                if !Task.isCancelled { failures.withLock { $0.append("watcher \(w): \(error)") } }
            }
        }
        tasks.withLock { $0.append(task) }
    }

    /// Cancels every watch (closing its connection) and waits for the tasks, then shuts the HTTP client down.
    func close() async {
        let all = tasks.withLock { $0 }
        for t in all { t.cancel() }
        for t in all { await t.value }
        try? await http.shutdown()
    }
}

/// A benchmark failure with a message.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
