@testable import CanaryAnalysisPrometheus
import Testing

@Suite("Counter increases from raw samples")
struct CounterMathTests {
    func samples(_ pairs: [(Int64, Double)]) -> [RawSample] {
        pairs.map { RawSample(timestampMs: $0.0, value: $0.1) }
    }

    @Test func differenceOfTheValuesAtTheTwoEnds() throws {
        // Start value: the last sample at or before start (t=1000 → 10).
        let s = samples([(0, 5), (1000, 10), (2000, 13), (3000, 20), (4000, 25)])
        #expect(try CounterMath.increase(s, startMs: 1000, endMs: 3000) == 10)
        #expect(try CounterMath.increase(s, startMs: 1500, endMs: 3500) == 10)
        #expect(try CounterMath.increase(s, startMs: 0, endMs: 4000) == 20)
    }

    @Test func noExtrapolationAndNoFractions() throws {
        let s = samples([(0, 100), (15_000, 101), (30_000, 103)])
        // increase() over 60 s would extrapolate; the raw difference is exactly 3.
        #expect(try CounterMath.increase(s, startMs: 0, endMs: 60_000) == 3)
    }

    @Test func resetCountsTheNewValue() throws {
        // 100 → 110 (+10), reset to 5 (+5), → 12 (+7).
        let s = samples([(0, 100), (1000, 110), (2000, 5), (3000, 12)])
        #expect(try CounterMath.increase(s, startMs: 0, endMs: 3000) == 22)
    }

    @Test func resetRightAfterStart() throws {
        let s = samples([(0, 50), (1000, 0), (2000, 4)])
        #expect(try CounterMath.increase(s, startMs: 0, endMs: 2000) == 4)
    }

    @Test func seriesBornInsideTheIntervalCountsFromZero() throws {
        let s = samples([(1500, 4), (2500, 9)])
        #expect(try CounterMath.increase(s, startMs: 1000, endMs: 3000) == 9)
        #expect(CounterMath.isLive(s, startMs: 1000, endMs: 3000))
    }

    @Test func samplesAfterTheEndAreIgnoredAndUnsortedInputIsSorted() throws {
        let s = samples([(3000, 30), (1000, 10), (2000, 15)])
        #expect(try CounterMath.increase(s, startMs: 1000, endMs: 2000) == 5)
    }

    @Test func seriesThatStoppedBeforeTheIntervalAddsNothing() throws {
        let s = samples([(0, 10), (500, 12)])
        #expect(try CounterMath.increase(s, startMs: 1000, endMs: 2000) == 0)
        #expect(!CounterMath.isLive(s, startMs: 1000, endMs: 2000))
    }

    @Test func nonFiniteOrNegativeSamplesFail() {
        #expect(throws: PrometheusFailure.self) {
            try CounterMath.increase(samples([(0, 1), (1000, .nan)]), startMs: 0, endMs: 1000)
        }
        #expect(throws: PrometheusFailure.self) {
            try CounterMath.increase(samples([(0, 1), (1000, .infinity)]), startMs: 0, endMs: 1000)
        }
        #expect(throws: PrometheusFailure.self) {
            try CounterMath.increase(samples([(0, -1)]), startMs: 0, endMs: 1000)
        }
    }
}
