import CanaryAnalysis
import FledgeCLI
import Foundation
import Synchronization
import Testing

@Suite("Live analysis loop")
struct LiveAnalysisTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static let target = AnalysisTarget(service: "checkout", namespace: "shop", stableVersion: "1.4.0", canaryVersion: "1.5.0")
    static var errorsOnly: AnalysisConfiguration {
        var c = AnalysisConfiguration()
        c.latencyQuantiles = []
        return c
    }

    static let healthy = TrafficSample(stable: TrackCounts(requests: 18_000, errors: 90), canary: TrackCounts(requests: 2_000, errors: 10))
    static let broken = TrafficSample(stable: TrackCounts(requests: 1_980, errors: 10), canary: TrackCounts(requests: 20, errors: 1))

    static func loop(_ provider: InMemoryProvider, intervals: Int, interval: Duration = .zero, configuration: AnalysisConfiguration = errorsOnly) -> LiveAnalysis {
        LiveAnalysis(provider: provider, target: target, configuration: configuration, interval: interval,
                     intervals: intervals, baselineWindow: .seconds(600), lag: .seconds(15), clock: .instant(at: t0))
    }

    @Test func rollsBackOnBadDataAndStops() async throws {
        let provider = InMemoryProvider([.value(Self.broken)])
        let reporter = RecordingReporter()
        let run = try await Self.loop(provider, intervals: 10).run(reporter: reporter)
        #expect(run.verdict.outcome == .rollback)
        #expect(!run.isFinal)
        // Evidence 2.5, 7.3, 23, 77 against the default bound 1/0.02 = 50.
        #expect(run.interval == 4)
        #expect(reporter.observed.map(\.outcome) == [.continue, .continue, .continue, .rollback])
        // One baseline request, then one per interval, none after the rollback.
        #expect(provider.windows.count == 5)
    }

    @Test func healthyDataPromotesAtTheEndOfTheWindow() async throws {
        let provider = InMemoryProvider([.value(Self.healthy)])
        let run = try await Self.loop(provider, intervals: 10).run(reporter: RecordingReporter())
        #expect(run.isFinal)
        #expect(run.verdict.outcome == .promote)
        #expect(run.steps.map(\.interval) == Array(1...10))
    }

    @Test func noDataIntervalsNeverPromote() async throws {
        let provider = InMemoryProvider([.value(Self.healthy), .noData(reason: "prometheus unreachable")])
        let reporter = RecordingReporter()
        let run = try await Self.loop(provider, intervals: 10).run(reporter: reporter)
        #expect(run.isFinal)
        #expect(run.verdict.outcome == .inconclusive)
        #expect(run.steps.allSatisfy { $0.decision.outcome == .continue })
        #expect(reporter.observed.allSatisfy { $0.note == "prometheus unreachable" })
        #expect(run.verdict.checks.allSatisfy { $0.verdict != .fail && $0.verdict != .pass })
    }

    @Test func aFewNoDataIntervalsAddNoEvidence() async throws {
        // Healthy data in two intervals only, then gaps: the gaps add nothing (4,000 canary requests counted), and
        // those two intervals (20 canary errors of 4,000 against 180 of 36,000) already bound the ratio below 2×.
        let provider = InMemoryProvider([.value(Self.healthy), .value(Self.healthy), .value(Self.healthy),
                                         .noData(reason: "scrape gap")])
        let run = try await Self.loop(provider, intervals: 8).run(reporter: RecordingReporter())
        #expect(run.verdict.outcome == .promote)
        let errors = try #require(run.verdict.checks.first { $0.name == "error rate" })
        #expect(errors.canary?.requests == 4_000)
    }

    @Test func asksForContiguousWindowsAfterTheBaseline() async throws {
        let provider = InMemoryProvider([.value(Self.healthy)])
        _ = try await Self.loop(provider, intervals: 3, interval: .seconds(60)).run(reporter: RecordingReporter())
        let w = provider.windows
        #expect(w.count == 4)
        #expect(w[0] == Self.t0.addingTimeInterval(-600)...Self.t0)
        for k in 1...3 {
            #expect(w[k] == Self.t0.addingTimeInterval(Double(k - 1) * 60)...Self.t0.addingTimeInterval(Double(k) * 60))
        }
    }

    @Test func waitsUntilEachIntervalsEndPlusLag() async throws {
        let waits = WaitLog()
        let clock = LiveClock(now: { Self.t0 }, sleepUntil: { waits.append($0) })
        let provider = InMemoryProvider([.value(Self.healthy)])
        let loop = LiveAnalysis(provider: provider, target: Self.target, configuration: Self.errorsOnly, interval: .seconds(60),
                                intervals: 2, baselineWindow: .seconds(600), lag: .seconds(15), clock: clock)
        _ = try await loop.run(reporter: RecordingReporter())
        #expect(waits.dates == [15, 75, 135].map { Self.t0.addingTimeInterval($0) })
    }

    @Test func baselineFixesLatencyThresholds() async throws {
        // Exactly 1% of stable's requests above 50 ms and 0.1% above 250 ms.
        let histogram = LatencyHistogram(bounds: [0.05, 0.25, 0.5, .infinity], counts: [19_800, 19_980, 20_000, 20_000])
        let baseline = TrafficSample(stable: TrackCounts(requests: 20_000, errors: 100, latency: histogram), canary: .zero)
        let provider = InMemoryProvider([.value(baseline), .value(Self.healthy)])
        let reporter = RecordingReporter()
        _ = try await Self.loop(provider, intervals: 1, configuration: AnalysisConfiguration()).run(reporter: reporter)
        #expect(reporter.plan?.tests.map(\.name) == ["error rate", "latency p99 > 50ms", "latency p999 > 250ms"])
        #expect(reporter.note == nil)
    }

    @Test func baselineWithoutDataIsReported() async throws {
        let provider = InMemoryProvider([.noData(reason: "no series"), .value(Self.healthy)])
        let reporter = RecordingReporter()
        let run = try await Self.loop(provider, intervals: 2, configuration: AnalysisConfiguration()).run(reporter: reporter)
        #expect(reporter.note?.contains("no baseline data (no series)") == true)
        #expect(run.verdict.checks.contains { $0.metric == .latency && $0.verdict == .noData })
    }

    @Test func usesAGivenBaselineSource() async throws {
        let provider = InMemoryProvider([.value(Self.healthy)])
        let asked = WaitLog()
        let loop = LiveAnalysis(
            provider: provider,
            baselineSource: { _, start, end in
                asked.append(start)
                asked.append(end)
                return .value(Baseline(stable: TrackCounts(requests: 100, errors: 0)))
            },
            target: Self.target, configuration: Self.errorsOnly, interval: .zero, intervals: 1,
            baselineWindow: .seconds(300), lag: .zero, clock: .instant(at: Self.t0))
        _ = try await loop.run(reporter: RecordingReporter())
        #expect(asked.dates == [Self.t0.addingTimeInterval(-300), Self.t0])
        #expect(provider.windows.count == 1)
    }

    @Test func jsonLinesOfALiveRunHaveTheReplayShape() async throws {
        let capture = Capture()
        let provider = InMemoryProvider([.value(Self.healthy)])
        _ = try await Self.loop(provider, intervals: 3).run(reporter: JSONLinesReporter(console: capture.console()))
        let lines = capture.stdoutLines
        #expect(lines.count == 4)
        #expect(try lines.map { try jsonObject($0)["interval"] as? Int } == [1, 2, 3, 3])
        #expect(try jsonObject(lines[3])["final"] as? Bool == true)
    }
}

/// Records dates from a `@Sendable` closure.
final class WaitLog: Sendable {
    private let log = Mutex<[Date]>([])
    func append(_ date: Date) { log.withLock { $0.append(date) } }
    var dates: [Date] { log.withLock { $0 } }
}
