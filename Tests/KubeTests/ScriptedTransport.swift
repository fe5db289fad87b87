import Foundation
import Kube
import Logging
import Synchronization

/// A ``Transport`` that answers from a script and records what it was sent.
final class ScriptedTransport: Transport {
    private let state: Mutex<(responses: [Response], sent: [Request])>

    init(_ responses: [Response]) { state = Mutex((responses, [])) }

    var sent: [Request] { state.withLock { $0.sent } }

    func send(_ request: Request, timeout: Duration) async throws -> Response {
        try state.withLock { s in
            s.sent.append(request)
            guard !s.responses.isEmpty else { throw KubeError.transport("script exhausted") }
            return s.responses.removeFirst()
        }
    }

    func stream(_ request: Request, timeout: Duration) async throws -> StreamingResponse {
        let r = try await send(request, timeout: timeout)
        var splitter = LineSplitter()
        var lines = try splitter.append(r.body)
        if let last = splitter.finish() { lines.append(last) }
        return StreamingResponse(status: r.status, headers: r.headers, lines: AsyncThrowingStream { c in
            for l in lines { c.yield(l) }
            c.finish()
        })
    }
}

/// Records the durations a client asked to sleep.
final class SleepRecorder: Sendable {
    private let slept = Mutex<[Duration]>([])
    var durations: [Duration] { slept.withLock { $0 } }
    func record(_ d: Duration) { slept.withLock { $0.append(d) } }
}

/// Collects log lines (message and metadata) in memory.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ s: String) { lines.withLock { $0.append(s) } }

    var logger: Logger {
        var l = Logger(label: "test") { _ in Handler(collector: self) }
        l.logLevel = .trace
        return l
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            collector.append("\(event.level) \(event.message) \(event.metadata ?? [:])")
        }
    }
}
