import CanaryAnalysis
import Foundation
import Synchronization

/// A tiny in-memory ``MetricProvider``: answers every request with the next scripted reading
/// (repeating the last one when the script runs out) and records the windows it was asked for.
final class InMemoryProvider: MetricProvider {
    private let state: Mutex<(script: [MetricReading<TrafficSample>], windows: [ClosedRange<Date>])>

    init(_ script: [MetricReading<TrafficSample>]) {
        state = Mutex((script, []))
    }

    /// Every window asked for, in order.
    var windows: [ClosedRange<Date>] { state.withLock { $0.windows } }

    func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
        state.withLock { s in
            s.windows.append(start...end)
            guard let next = s.script.first else { return .noData(reason: "nothing scripted") }
            if s.script.count > 1 { s.script.removeFirst() }
            return next
        }
    }
}
