@testable import CanaryAnalysisPrometheus
import Testing

/// 2024-05-01T12:00:00Z, in milliseconds.
private let noon: Int64 = 1_714_564_800_000

/// Seconds after noon, in milliseconds.
private func at(_ seconds: Double) -> Int64 { noon + Int64((seconds * 1000).rounded()) }

private let track = #"service "shop" track canary"#

@Suite("A track's samples at an interval's two ends")
struct TrackCoverageTests {
    func coverage(_ series: [[(Int64, Double)]], _ window: CountingWindow) -> TrackCoverage {
        var coverage = TrackCoverage(window: window)
        for s in series { coverage.add(samples(s)) }
        return coverage
    }

    func failure(_ coverage: TrackCoverage) -> String? {
        do {
            try coverage.check(track, metric: "m_count")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func samplesNearBothEndsPass() {
        let c = coverage([[(at(-30), 1), (at(0), 2), (at(30), 3), (at(60), 4)]], window(at(10), at(65), tolerance: 65_000))
        #expect(failure(c) == nil)
        #expect(c.isSteadyAtStart)
    }

    @Test func outageAtTheStartIsNoData() {
        // Prometheus was down from 11:59:40 to 12:03:41; the interval (12:00:05, 12:03:50] starts inside the outage.
        let c = coverage([[(at(-30), 100), (at(-20), 110), (at(221), 5000), (at(226), 5010)]],
                         window(at(5), at(230), tolerance: 10_000))
        #expect(failure(c) == #"no sample of service "shop" track canary within 10s of the interval's start 2024-05-01T12:00:05Z (the nearest is at 2024-05-01T11:59:40Z): Prometheus or its scrape was down"#)
        // The nearest sample may be after the start.
        let later = coverage([[(at(-30), 100), (at(221), 5000), (at(226), 5010)]], window(at(215), at(230), tolerance: 10_000))
        #expect(failure(later)?.contains("of the interval's start 2024-05-01T12:03:35Z (the nearest is at 2024-05-01T12:03:41Z)") == true,
                "\(String(describing: failure(later)))")
    }

    @Test func outageAtTheEndIsNoData() {
        let c = coverage([[(at(0), 100), (at(5), 110), (at(10), 120)]], window(at(5), at(60), tolerance: 10_000))
        #expect(failure(c) == #"no sample of service "shop" track canary within 10s of the interval's end 2024-05-01T12:01:00Z (the nearest is at 2024-05-01T12:00:10Z): Prometheus or its scrape was down"#)
    }

    @Test func samplesExactlyAtTheToleranceEdgeCount() {
        let edges = window(at(20), at(50), tolerance: 10_000)
        #expect(failure(coverage([[(at(10), 1), (at(40), 2)]], edges)) == nil)
        #expect(failure(coverage([[(at(9.999), 1), (at(40), 2)]], edges))?.contains("of the interval's start") == true)
        #expect(failure(coverage([[(at(10), 1), (at(39.999), 2)]], edges))?.contains("of the interval's end") == true)
    }

    @Test func oneSeriesNearEachEndIsEnough() {
        // Any of the track's series shows that Prometheus was scraping it at that end.
        let c = coverage([[(at(0), 1), (at(10), 2)], [(at(40), 5), (at(58), 6)]], window(at(5), at(60), tolerance: 10_000))
        #expect(failure(c) == nil)
    }

    @Test func noSeriesAtAll() {
        #expect(failure(coverage([], window(at(0), at(60)))) == #"no series for service "shop" track canary between 2024-05-01T12:00:00Z and 2024-05-01T12:01:00Z in m_count"#)
    }

    @Test func noSampleInsideAnIntervalShorterThanTheScrape() {
        let c = coverage([[(at(0), 1), (at(30), 2)]], window(at(10), at(15), tolerance: 65_000))
        #expect(failure(c)?.contains("no sample of service \"shop\" track canary inside the interval") == true, "\(String(describing: failure(c)))")
    }

    @Test func steadyOnlyWhenTwoSamplesWithinTheToleranceLeadToTheStart() {
        let w = window(at(60), at(90), tolerance: 10_000)
        #expect(coverage([[(at(45), 1), (at(55), 2)]], w).isSteadyAtStart)
        // Only one sample: the series (or Prometheus) just started.
        #expect(!coverage([[(at(55), 2), (at(65), 3)]], w).isSteadyAtStart)
        // Just back from an outage: its sample before the start follows a gap.
        #expect(!coverage([[(at(0), 1), (at(55), 2), (at(65), 3)]], w).isSteadyAtStart)
        // Steady, but too long before the start.
        #expect(!coverage([[(at(30), 1), (at(40), 2), (at(65), 3)]], w).isSteadyAtStart)
    }
}

@Suite("One track's counts over an interval with an outage")
struct TrackCountingTests {
    func http(_ route: String, _ status: String, _ points: [(Int64, Double)], pod: String? = nil) -> RawSeries {
        var labels = ["__name__": "m_count", "http_route": route, "http_response_status_code": status]
        if let pod { labels["job"] = "app"; labels["instance"] = pod }
        return RawSeries(labels: labels, samples: samples(points))
    }

    /// After an outage longer than the history, pod a has been scraped steadily again but pod b is first scraped
    /// inside the interval: b may be a pod whose scrape was late, holding its whole past. Steadiness is judged
    /// per scrape target, so a's does not vouch for b.
    @Test func aPodFirstScrapedInsideTheIntervalIsNotCountedOnItsSiblingsSteadiness() throws {
        let a = http("/", "200", [(at(190), 8970), (at(222), 9000), (at(252), 9030)], pod: "a")
        let b = http("/", "200", [(at(240), 9500), (at(270), 9530)], pod: "b")
        let w = window(at(225), at(255), tolerance: 65_000, history: 300_000)
        #expect(throws: PrometheusFailure.self) { try count([a, b], w) }
        // A new label set on a pod scraped all along is new: its first 5xx counts from zero.
        let firstError = http("/", "500", [(at(250), 2)], pod: "a")
        let counts = try count([a, firstError], w).counts
        #expect(counts.requests == 32)
        #expect(counts.errors == 2)
    }

    /// Pod b is scraped at the start and then no more (its scrape is down, or it is gone) while pod a goes on:
    /// b's requests since are unknown, so the track has no data for the interval — not b's share counted as 0.
    @Test func onePodWhoseScrapeStopsMakesTheTrackNoData() throws {
        let a = http("/", "200", [(at(0), 100), (at(10), 110), (at(20), 120), (at(30), 130)], pod: "a")
        let b = http("/", "500", [(at(0), 50), (at(10), 60)], pod: "b")
        #expect(throws: PrometheusFailure.self) { try count([a, b], window(at(10), at(30), tolerance: 5000)) }
        // Before b stopped, the same two pods count.
        #expect(try count([a, b], window(at(0), at(10), tolerance: 5000)).counts.errors == 10)
    }

    func count(_ counts: [RawSeries], _ window: CountingWindow) throws(PrometheusFailure) -> TrafficAggregator {
        var aggregator = TrafficAggregator(routeLabel: "http_route", statusCodeLabel: "http_response_status_code",
                                           errorTypeLabel: "error_type", window: window)
        try aggregator.add(counts: counts, buckets: [], track: track, metric: "m")
        return aggregator
    }

    /// 25 canary requests a second, scraped every 30 s (tolerance 65 s), Prometheus down from 12:00:00
    /// to 12:03:41: the issue's outage, with 5-second intervals.
    @Test func theTrafficOfAnOutageIsNeverPutIntoTheIntervalAfterIt() throws {
        let scrapes: [Double] = [-60, -30, 0, 221, 251, 281]
        let canary = http("/", "200", scrapes.map { (at($0), 25 * ($0 + 600)) })
        let tolerance: Int64 = 65_000
        // Before the outage: from the scrape at 11:59:30 to the one at 12:00:00.
        #expect(try count([canary], window(at(-5), at(0), tolerance: tolerance)).counts.requests == 750)
        // An interval ending in the outage: its end's last sample is 70 s old.
        do {
            _ = try count([canary], window(at(30), at(70), tolerance: tolerance))
            Issue.record("counted an interval whose end is in the outage")
        } catch {
            #expect(error.reason.contains("within 65s of the interval's end 2024-05-01T12:01:10Z (the nearest is at 2024-05-01T12:00:00Z)"), "\(error.reason)")
        }
        // The first interval after Prometheus is back: its start's last sample is 12:00:00, 220 s old.
        // Today's 300-second look-back counted 5525 requests here: the whole outage.
        do {
            _ = try count([canary], window(at(220), at(225), tolerance: tolerance))
            Issue.record("counted the outage into the interval after it")
        } catch {
            #expect(error.reason.contains("within 65s of the interval's start 2024-05-01T12:03:40Z (the nearest is at 2024-05-01T12:03:41Z)"), "\(error.reason)")
        }
        // From then on each interval counts its own scrapes only (and one without a scrape inside has no data).
        #expect(throws: PrometheusFailure.self) { try count([canary], window(at(226), at(231), tolerance: tolerance)) }
        #expect(try count([canary], window(at(250), at(255), tolerance: tolerance)).counts.requests == 750)
        // An interval that spans the whole outage has samples near both ends: those requests did happen inside it.
        #expect(try count([canary], window(at(-5), at(255), tolerance: tolerance)).counts.requests == 25 * 281)
    }

    @Test func aGapInOneSeriesMakesTheTrackNoDataAndNamesTheSeries() {
        // The 5xx series was not scraped between 12:00:10 and 12:01:30 (its pod's scrape failed); the others were.
        let ok = http("/", "200", stride(from: 0.0, through: 100, by: 10).map { (at($0), 100 + $0) })
        let failed = http("/", "500", [(at(0), 1), (at(10), 2), (at(90), 30), (at(100), 31)])
        do {
            _ = try count([ok, failed], window(at(85), at(100), tolerance: 10_000, history: 300_000))
            Issue.record("a series with a gap at the start was counted")
        } catch {
            #expect(error.reason.hasPrefix(#"m_count{http_response_status_code="500",http_route="/"} of service "shop" track canary: it has no sample within 10s of the interval's start 2024-05-01T12:01:25Z (its last before is at 2024-05-01T12:00:10Z"#),
                    "\(error.reason)")
        }
    }

    @Test func aNewSeriesInsideCountsFromZeroWhenTheTrackWasScrapedSteadily() throws {
        let ok = http("/", "200", [(at(0), 100), (at(10), 110), (at(20), 120), (at(30), 130)])
        let firstError = http("/", "500", [(at(30), 2)])
        let counts = try count([ok, firstError], window(at(25), at(30), tolerance: 10_000)).counts
        #expect(counts.requests == 12)
        #expect(counts.errors == 2)
    }

    /// Prometheus back at 12:03:40 after 10 minutes away (more than the history): pod b is scraped 20 s
    /// after pod a. In (12:03:45, 12:04:15] pod a has a sample near the start, pod b's first is inside.
    @Test func afterAnOutagePodsScrapedLateAreNotTakenForNewOnes() throws {
        let a = http("/", "200", [(at(-400), 1000), (at(222), 9000), (at(252), 9030)])
        let b = http("/", "200", [(at(-380), 2000), (at(240), 9500), (at(270), 9530)])
        let w = window(at(225), at(255), tolerance: 65_000, history: 300_000)
        do {
            _ = try count([a, b], w)
            Issue.record("pod b's whole past was counted")
        } catch {
            #expect(error.reason.contains("not scraped steadily up to the start"), "\(error.reason)")
        }
        // An interval later every pod has a sample near the start.
        #expect(try count([a, b], window(at(255), at(275), tolerance: 65_000, history: 300_000)).counts.requests == 30)
    }
}
