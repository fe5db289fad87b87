import CoreMetrics
import Logging
import Synchronization

/// A swift-metrics backend that keeps only what the benchmark reports: reconciles by outcome (with durations while
/// recording), analysis decisions by outcome, and the work queue's depth. The per-Rollout gauges are dropped.
final class CountingMetrics: MetricsFactory, Sendable {
    private struct State {
        var reconciles: [String: Int] = [:]
        var decisions: [String: Int] = [:]
        var durations: [Int64] = []
        var recordDurations = false
        var queueDepth: Int64 = 0
        var maxQueueDepth: Int64 = 0
    }
    private let state = Mutex(State())

    var reconciles: [String: Int] { state.withLock { $0.reconciles } }
    var totalReconciles: Int { state.withLock { $0.reconciles.values.reduce(0, +) } }
    var decisions: [String: Int] { state.withLock { $0.decisions } }
    var queueDepth: Int64 { state.withLock { $0.queueDepth } }

    /// Starts keeping reconcile durations and the largest queue depth (clearing earlier ones); returns nothing.
    func recordDurations(_ on: Bool) {
        state.withLock { s in
            s.recordDurations = on
            if on { s.durations = []; s.maxQueueDepth = s.queueDepth }
        }
    }
    var durations: [Int64] { state.withLock { $0.durations } }
    var maxQueueDepth: Int64 { state.withLock { $0.maxQueueDepth } }

    fileprivate func reconciled(_ outcome: String, _ nanos: Int64) {
        state.withLock { s in
            s.reconciles[outcome, default: 0] += 1
            if s.recordDurations { s.durations.append(nanos) }
        }
    }
    fileprivate func decided(_ outcome: String) { state.withLock { $0.decisions[outcome, default: 0] += 1 } }
    fileprivate func depth(_ d: Int64) {
        state.withLock { s in
            s.queueDepth = d
            if s.recordDurations { s.maxQueueDepth = max(s.maxQueueDepth, d) }
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        if label == "fledge_analysis_decisions_total", let outcome = dimensions.first(where: { $0.0 == "outcome" })?.1 {
            return Handler(self) { $0.decided(outcome) }
        }
        return Handler(self) { _ in }
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        label == "fledge_workqueue_depth" ? DepthHandler(self) : Handler(self) { _ in }
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let outcome = dimensions.first(where: { $0.0 == "outcome" })?.1 ?? "?"
        return label == "fledge_reconcile_duration_seconds" ? TimerCount(self, outcome) : Handler(self) { _ in }
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { Handler(self) { _ in } }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { Handler(self) { _ in } }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
}

/// A handler that runs `increment` on counter increments and ignores everything else.
private final class Handler: CounterHandler, RecorderHandler, TimerHandler, FloatingPointCounterHandler, MeterHandler, Sendable {
    let owner: CountingMetrics
    let onIncrement: @Sendable (CountingMetrics) -> Void
    init(_ owner: CountingMetrics, _ onIncrement: @escaping @Sendable (CountingMetrics) -> Void) {
        self.owner = owner
        self.onIncrement = onIncrement
    }
    func increment(by: Int64) { onIncrement(owner) }
    func increment(by: Double) {}
    func decrement(by: Double) {}
    func reset() {}
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
    func set(_ value: Int64) {}
    func set(_ value: Double) {}
    func recordNanoseconds(_ duration: Int64) {}
}

private final class DepthHandler: RecorderHandler, Sendable {
    let owner: CountingMetrics
    init(_ owner: CountingMetrics) { self.owner = owner }
    func record(_ value: Int64) { owner.depth(value) }
    func record(_ value: Double) { owner.depth(Int64(value)) }
}

private final class TimerCount: TimerHandler, Sendable {
    let owner: CountingMetrics
    let outcome: String
    init(_ owner: CountingMetrics, _ outcome: String) {
        self.owner = owner
        self.outcome = outcome
    }
    func recordNanoseconds(_ duration: Int64) { owner.reconciled(outcome, duration) }
}

/// A log handler that formats nothing and writes nothing: it counts lines by level and keeps the first few
/// warnings and errors for the report.
struct CountingLogHandler: LogHandler {
    final class Sink: Sendable {
        private struct State {
            var byLevel: [Logger.Level: Int] = [:]
            var samples: [String] = []
        }
        private let state = Mutex(State())
        func log(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata?) {
            state.withLock { s in
                s.byLevel[level, default: 0] += 1
                if level >= .warning, s.samples.count < 8 {
                    let meta = (metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    s.samples.append("\(level): \(message) \(meta)".prefix(400).description)
                }
            }
        }
        var byLevel: [Logger.Level: Int] { state.withLock { $0.byLevel } }
        var samples: [String] { state.withLock { $0.samples } }
    }

    let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return sink.log(event.level, "", nil) }
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        sink.log(event.level, event.message.description, merged)
    }
}
