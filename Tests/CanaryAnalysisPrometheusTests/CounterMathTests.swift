@testable import CanaryAnalysisPrometheus
import Testing

func samples(_ pairs: [(Int64, Double)]) -> [RawSample] {
    pairs.map { RawSample(timestampMs: $0.0, value: $0.1) }
}

/// The interval `(start, end]` with the given tolerance at each end and history before the start (ms).
func window(_ start: Int64, _ end: Int64, tolerance: Int64 = 1000, history: Int64 = 60_000) -> CountingWindow {
    CountingWindow(startMs: start, endMs: end, toleranceMs: tolerance, historyMs: history)
}

@Suite("Counter increases from raw samples")
struct CounterMathTests {
    /// The increase of one series, its track scraped steadily up to the start unless `steady` is false.
    func increase(_ samples: [RawSample], _ window: CountingWindow, steady: Bool = true) throws(PrometheusFailure) -> Double {
        try CounterMath.increase(samples, in: window, newSeriesStartAtZero: steady)
    }

    @Test func differenceOfTheValuesAtTheTwoEnds() throws {
        // Start value: the last sample at or before start (t=1000 → 10).
        let s = samples([(0, 5), (1000, 10), (2000, 13), (3000, 20), (4000, 25)])
        #expect(try increase(s, window(1000, 3000)) == 10)
        #expect(try increase(s, window(1500, 3500)) == 10)
        #expect(try increase(s, window(0, 4000)) == 20)
    }

    @Test func consecutiveIntervalsShareTheSampleBetweenThem() throws {
        // Each interval ends on the sample the next one starts from: nothing is counted twice or dropped.
        let s = samples([(0, 0), (1000, 4), (2000, 9), (3000, 15), (4000, 22)])
        let parts = try [(Int64(0), Int64(1500)), (1500, 2500), (2500, 4000)].map { try increase(s, window($0.0, $0.1)) }
        #expect(parts == [4, 5, 13])
        #expect(try increase(s, window(0, 4000)) == parts.reduce(0, +))
    }

    @Test func noExtrapolationAndNoFractions() throws {
        let s = samples([(0, 100), (15_000, 101), (30_000, 103)])
        // increase() over 60 s would extrapolate; the raw difference is exactly 3.
        #expect(try increase(s, window(0, 60_000, tolerance: 35_000)) == 3)
    }

    @Test func resetCountsTheNewValue() throws {
        // 100 → 110 (+10), reset to 5 (+5), → 12 (+7).
        let s = samples([(0, 100), (1000, 110), (2000, 5), (3000, 12)])
        #expect(try increase(s, window(0, 3000)) == 22)
    }

    @Test func resetRightAfterStart() throws {
        let s = samples([(0, 50), (1000, 0), (2000, 4)])
        #expect(try increase(s, window(0, 2000)) == 4)
    }

    @Test func newSeriesInsideTheIntervalCountsFromZero() throws {
        // Nothing in the whole range before its first sample: a new pod, or the first request with its labels.
        let s = samples([(1500, 4), (2500, 9)])
        #expect(try increase(s, window(1000, 3000)) == 9)
    }

    @Test func newSeriesIsRefusedWhenTheTrackWasNotScrapedSteadily() {
        // Right after an outage, a series first seen inside the interval may be an old one scraped late.
        let s = samples([(1500, 40_000), (2500, 40_009)])
        let error = #expect(throws: PrometheusFailure.self) {
            try increase(s, window(1000, 3000), steady: false)
        }
        #expect(error?.reason.contains("first appears at") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("not scraped steadily up to the start") == true, "\(String(describing: error))")
    }

    @Test func gapInTheSeriesAtTheStartFails() throws {
        // Scraped until t=1000, then not until t=20000 while it served 4890 requests; the interval starts
        // at t=10000. Today's look-back counted the whole gap (4890 + 10) into (10000, 21000].
        let s = samples([(0, 100), (1000, 110), (20_000, 5000), (21_000, 5010)])
        let error = #expect(throws: PrometheusFailure.self) {
            try increase(s, window(10_000, 21_000, tolerance: 2000))
        }
        let reason = error?.reason ?? ""
        #expect(reason.contains("no sample within 2s of the interval's start 1970-01-01T00:00:10Z"), "\(reason)")
        #expect(reason.contains("its last before is at 1970-01-01T00:00:01Z"), "\(reason)")
        #expect(reason.contains("its scrape was down at the start"), "\(reason)")
        // The next interval starts within the tolerance of t=21000 and counts only its own traffic.
        #expect(try increase(s + samples([(22_000, 5013)]), window(21_500, 22_000, tolerance: 2000)) == 3)
    }

    @Test func sampleExactlyAtTheToleranceEdgeCounts() throws {
        let s = samples([(0, 10), (5000, 10), (8000, 12), (11_000, 20)])
        // Start 10000, tolerance 2000: the last sample at or before it (8000) is exactly 2000 old.
        #expect(try increase(s, window(10_000, 11_000, tolerance: 2000)) == 8)
        // One millisecond further and it no longer stands for the start.
        #expect(throws: PrometheusFailure.self) {
            try increase(s, window(10_001, 11_000, tolerance: 2000))
        }
        // A sample exactly at the start belongs to the start, not to the interval.
        #expect(try increase(s, window(8000, 11_000, tolerance: 0)) == 8)
    }

    @Test func aSeriesWhoseScrapeStopsDuringTheIntervalFails() throws {
        // Sampled at the start, silent at the end: a pod gone or a scrape down. What it served meanwhile is
        // unknown, and counting only up to its last sample would leave out exactly that pod's errors.
        let s = samples([(0, 10), (1000, 14), (2000, 18)])
        #expect(throws: PrometheusFailure.self) { try increase(s, window(500, 10_000)) }
        // Sampled near the end too: counted.
        #expect(try increase(samples([(0, 10), (1000, 14), (2000, 18), (9500, 30)]), window(500, 10_000)) == 20)
    }

    @Test func samplesAfterTheEndAreIgnoredAndUnsortedInputIsSorted() throws {
        let s = samples([(3000, 30), (1000, 10), (2000, 15)])
        #expect(try increase(s, window(1000, 2000)) == 5)
    }

    @Test func aSeriesGoneBeforeTheIntervalAddsNothing() throws {
        // Last seen before start − tolerance (a pod gone earlier): nothing of it belongs here.
        #expect(try increase(samples([(0, 10), (500, 12)]), window(30_000, 40_000)) == 0)
        // Last seen just before the start, silent since: its scrape may be down — not a zero.
        #expect(throws: PrometheusFailure.self) { try increase(samples([(0, 10), (500, 12)]), window(1000, 2000)) }
    }

    @Test func samplesOlderThanTheHistoryAreNotSeen() throws {
        // The query reaches back `history` before the start; a series silent for longer looks new.
        let s = samples([(0, 500), (70_000, 503), (74_500, 505)])
        #expect(try increase(s, window(65_000, 75_000, history: 60_000)) == 505)
        #expect(throws: PrometheusFailure.self) {
            try increase(s, window(65_000, 75_000, history: 65_000))
        }
    }

    @Test func historyCoversAtLeastTwoTolerances() {
        #expect(window(0, 1, tolerance: 40_000, history: 10_000).historyMs == 80_000)
        #expect(window(0, 1, tolerance: 1000, history: 10_000).historyMs == 10_000)
        #expect(window(10_000, 15_000, tolerance: 1000, history: 60_000).rangeMs == 65_000)
        #expect(window(10_000, 15_000, tolerance: 1000, history: 60_000).endsRangeMs == 6000)
    }

    @Test func nonFiniteOrNegativeSamplesFail() {
        #expect(throws: PrometheusFailure.self) {
            try increase(samples([(0, 1), (1000, .nan)]), window(0, 1000))
        }
        #expect(throws: PrometheusFailure.self) {
            try increase(samples([(0, 1), (1000, .infinity)]), window(0, 1000))
        }
        #expect(throws: PrometheusFailure.self) {
            try increase(samples([(0, -1)]), window(0, 1000))
        }
    }
}
