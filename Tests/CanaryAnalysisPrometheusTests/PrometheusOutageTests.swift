@testable import CanaryAnalysisPrometheus
import CanaryAnalysis
import Foundation
import Testing

/// An outage against a real Prometheus. The test stops the scrapes of its exporter, so it starts its own
/// Prometheus and exporter instead of sharing the suite-wide ones with tests running concurrently.
@Suite("Prometheus provider across a scrape outage")
struct PrometheusOutageTests {
    @Test func anIntervalWithAnEndInTheOutageHasNoDataAndTheNextCountsOnlyItsOwnTraffic() async throws {
        let env = try await TestEnvironment.start()
        do {
            try await run(env)
        } catch {
            await env.stop()
            throw error
        }
        await env.stop()
    }

    private func run(_ env: TestEnvironment) async throws {
        let s = "shop-outage"
        let job = "ns/shop-outage-join"
        // The same traffic twice: with the resource attributes as labels, and with them in target_info only.
        func state(stable: Double, canary: Double, canaryErrors: Double = 0) -> [HistogramSeries] {
            var series = [
                http(s, "stable", version: "1", route: "/", status: "200", count: stable, le: [stable, stable, stable]),
                http(s, "canary", version: "2", route: "/", status: "200", count: canary, le: [canary, canary, canary]),
                joined("pod-s", "200", stable), joined("pod-c", "200", canary),
            ]
            if canaryErrors > 0 {  // a new series: the canary's first errors
                series.append(http(s, "canary", version: "2", route: "/", status: "500", count: canaryErrors, le: [0, 0, canaryErrors]))
                series.append(joined("pod-c", "500", canaryErrors))
            }
            return series
        }
        func joined(_ instance: String, _ status: String, _ count: Double) -> HistogramSeries {
            HistogramSeries(labels: [("job", job), ("instance", instance), ("http_route", "/"), ("http_response_status_code", status)],
                            count: count, buckets: [count, count, count])
        }
        let info = [("pod-s", "stable", "1"), ("pod-c", "canary", "2")].map { instance, track, version in
            GaugeSample(name: "target_info", labels: [("job", job), ("instance", instance), ("service_name", "\(s)-join"),
                                                      ("deployment_track", track), ("service_version", version)], value: 1)
        }
        let scrapeInterval = Duration.seconds(1)  // PrometheusProcess's
        let tolerance = PrometheusConfiguration.endTolerance(forScrapeInterval: scrapeInterval)
        let labels = try env.provider { $0.endTolerance = tolerance }
        let join = try env.provider { $0.endTolerance = tolerance; $0.joinTargetInfo = true }
        let target = AnalysisTarget(service: s, stableVersion: "1", canaryVersion: "2")
        let joinTarget = AnalysisTarget(service: "\(s)-join", stableVersion: "1", canaryVersion: "2")

        // Steady scrapes, then t0.
        try await env.publish(s, state(stable: 1000, canary: 100), gauges: info)
        _ = try await env.mark()
        let t0 = try await env.mark()
        try await env.publish(s, state(stable: 1100, canary: 110), gauges: info)

        // The outage: 20000 stable and 5000 canary requests while no scrape lands. t1 is more than the
        // tolerance after the last sample, so the interval (t0, t1] has no sample near its end.
        let stopped = try await env.stopScrapes()
        env.exporter.set(s, histograms: state(stable: 21_100, canary: 5110), gauges: info)
        let t1 = stopped.addingTimeInterval(tolerance / .seconds(1) + 2)
        try await env.wait(until: t1)

        // Back: two scrapes (so the tracks are steady again), then t2; (t1, t2] has no sample near its start.
        try await env.resumeScrapes()
        try await env.publish(s, state(stable: 21_100, canary: 5110), gauges: info)
        _ = try await env.mark()
        let t2 = try await env.mark()
        // The first interval fully after the outage: 300 stable and 30 canary requests, and 3 canary errors
        // on a series that appears inside it.
        try await env.publish(s, state(stable: 21_400, canary: 5140, canaryErrors: 3), gauges: info)
        let t3 = try await env.mark()

        for (provider, target, mode) in [(labels, target, "labels"), (join, joinTarget, "target_info join")] {
            let endInOutage = await provider.sample(for: target, from: t0, to: t1, queries: [])
            let endReason = try #require(reason(endInOutage), "\(mode): (t0, t1] read \(endInOutage)")
            #expect(endReason.contains("within 7s of the interval's end \(CountingWindow.iso(PrometheusAPIClient.milliseconds(t1)))"), "\(mode): \(endReason)")
            #expect(endReason.contains("Prometheus or its scrape was down"), "\(mode): \(endReason)")

            // Today's look-back counted the 20000 and 5000 requests of the outage here.
            let startInOutage = await provider.sample(for: target, from: t1, to: t2, queries: [])
            let startReason = try #require(reason(startInOutage), "\(mode): (t1, t2] read \(startInOutage)")
            #expect(startReason.contains("within 7s of the interval's start \(CountingWindow.iso(PrometheusAPIClient.milliseconds(t1)))"), "\(mode): \(startReason)")

            let after = try value(await provider.sample(for: target, from: t2, to: t3, queries: []))
            #expect(after.stable.requests == 300, "\(mode)")
            #expect(after.canary.requests == 33, "\(mode)")
            #expect(after.canary.errors == 3, "\(mode)")

            // An interval holding the whole outage has samples near both ends: those requests did happen inside it.
            let across = try value(await provider.sample(for: target, from: t0, to: t3, queries: []))
            #expect(across.stable.requests == 20_400, "\(mode)")
            #expect(across.canary.requests == 5043, "\(mode)")
        }
        await labels.shutdown()
        await join.shutdown()
    }
}
