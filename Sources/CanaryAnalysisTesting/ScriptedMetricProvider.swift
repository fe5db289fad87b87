import CanaryAnalysis
import Foundation
import Synchronization

/// An in-memory ``MetricProvider`` for tests: returns scripted readings in order, then
/// "no data" once the script runs out. Records every request it was asked.
public final class ScriptedMetricProvider: MetricProvider {
    /// One request the provider answered.
    public struct Request: Sendable, Equatable {
        public var target: AnalysisTarget
        public var start: Date
        public var end: Date
    }

    private struct State {
        var script: [MetricReading<TrafficSample>]
        var requests: [Request] = []
    }

    private let state: Mutex<State>

    /// A provider answering with `script`, one reading per call.
    public init(_ script: [MetricReading<TrafficSample>]) {
        state = Mutex(State(script: script))
    }

    /// A provider answering with the given samples.
    public convenience init(samples: [TrafficSample]) {
        self.init(samples.map { .value($0) })
    }

    /// Appends readings to the script.
    public func append(_ readings: MetricReading<TrafficSample>...) {
        state.withLock { $0.script += readings }
    }

    /// Every request answered so far.
    public var requests: [Request] { state.withLock { $0.requests } }

    public func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
        state.withLock { s in
            s.requests.append(Request(target: target, start: start, end: end))
            return s.script.isEmpty ? .noData(reason: "script exhausted") : s.script.removeFirst()
        }
    }
}

/// Deterministic pseudo-random numbers (SplitMix64) and count generators for simulation tests.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1).
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    }

    /// A Poisson draw; exact for small means, normal-approximated above 500 (good enough for tests).
    public mutating func poisson(_ mean: Double) -> Int {
        if mean <= 0 { return 0 }
        if mean > 500 {
            let u1 = uniform(), u2 = uniform()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            return max(0, Int((mean + z * mean.squareRoot()).rounded()))
        }
        // Split large means so exp(-mean) does not underflow.
        if mean > 30 { return poisson(mean / 2) + poisson(mean / 2) }
        let limit = exp(-mean)
        var k = 0
        var p = uniform()
        while p > limit { k += 1; p *= uniform() }
        return k
    }

    /// One track's counts: Poisson requests at `rate`, each failing with probability `errorRate`.
    public mutating func trackCounts(requests mean: Double, errorRate: Double) -> TrackCounts {
        let errors = poisson(mean * errorRate)
        let ok = poisson(mean * (1 - errorRate))
        return TrackCounts(requests: errors + ok, errors: errors)
    }
}
