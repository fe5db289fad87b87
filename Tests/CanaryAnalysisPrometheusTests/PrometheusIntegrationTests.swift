@testable import CanaryAnalysisPrometheus
import CanaryAnalysis
import Foundation
import Testing

/// A `_count`/`_bucket` series of the HTTP server histogram with the default OpenTelemetry labels.
/// `le` holds the cumulative counts at 0.1 s, 0.5 s and 1 s; `+Inf` is `count`.
func http(
    _ service: String, _ track: String, version: String, route: String, status: String,
    errorType: String? = nil, count: Double, le: [Double], extra: [(String, String)] = []
) -> HistogramSeries {
    var labels = [("service_name", service), ("deployment_track", track), ("service_version", version),
                  ("http_route", route), ("http_response_status_code", status)]
    if let errorType { labels.append(("error_type", errorType)) }
    return HistogramSeries(labels: labels + extra, count: count, buckets: le)
}

func value<T>(_ reading: MetricReading<T>) throws -> T {
    switch reading {
    case .value(let v): return v
    case .noData(let reason): throw HarnessError("expected a value, got noData: \(reason)")
    }
}

func reason<T>(_ reading: MetricReading<T>) -> String? {
    if case .noData(let reason) = reading { return reason }
    return nil
}

/// The tests share one Prometheus and run concurrently: each uses its own service names and
/// exporter key, and ``TestEnvironment/mark()`` makes interval boundaries exact per test.
@Suite("Prometheus provider against a real Prometheus", .prometheus)
struct PrometheusIntegrationTests {
    let bounds: [Double] = [0.1, 0.5, 1, .infinity]

    /// Stable served for a dozen seconds before the canary: its baseline window (10 minutes asked) is not
    /// covered from its start, so it is read over the window it has served, and says how long that was.
    @Test func aYoungStableVersionsBaselineIsReadOverTheTimeItHasServed() async throws {
        let env = try TestEnvironment.require()
        let s = "young-\(UUID().uuidString.prefix(6))"
        try await env.publish(s, [http(s, "stable", version: "1.0", route: "/a", status: "200", count: 100, le: [80, 95, 100])])
        var t = try await env.mark()
        let until = t.addingTimeInterval(12)
        while t < until { t = try await env.mark() }
        try await env.publish(s, [http(s, "stable", version: "1.0", route: "/a", status: "200", count: 400, le: [320, 380, 400])])
        let end = try await env.mark()
        let provider = try env.provider { $0.endTolerance = .seconds(3) }
        let target = AnalysisTarget(service: s, stableVersion: "1.0", canaryVersion: "2.0")
        let young = await provider.baseline(for: target, from: end.addingTimeInterval(-600), to: end)
        // A service with no series at all is answered at once, with its own reason (no shorter window helps).
        let missing = await provider.baseline(for: AnalysisTarget(service: s + "-none", stableVersion: "1.0"),
                                              from: end.addingTimeInterval(-600), to: end)
        await provider.shutdown()
        let baseline = try value(young)
        #expect(baseline.seconds.map { $0 < 600 && $0 >= 3 } == true, "\(String(describing: baseline.seconds))")
        #expect(baseline.stable.requests == 300)
        #expect(reason(missing)?.contains("no series") == true, "\(reason(missing) ?? "-")")
    }

    @Test func exactCountsPerTrackRouteAndBucket() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-exact"
        // Phase A: the values at the interval's start.
        try await env.publish(s, [
            http(s, "stable", version: "1.0", route: "/a", status: "200", count: 1000, le: [900, 990, 998]),
            http(s, "stable", version: "1.0", route: "/a", status: "500", count: 5, le: [1, 3, 5]),
            http(s, "stable", version: "1.0", route: "/b", status: "200", count: 300, le: [250, 290, 300]),
            http(s, "canary", version: "2.0", route: "/a", status: "200", count: 50, le: [40, 48, 50]),
            http(s, "canary", version: "2.0", route: "/a", status: "503", count: 1, le: [0, 0, 1]),
            // Not ours: another version on the stable track, another service.
            http(s, "stable", version: "0.9", route: "/a", status: "200", count: 7, le: [7, 7, 7]),
            http("other", "canary", version: "2.0", route: "/a", status: "500", count: 9, le: [9, 9, 9]),
        ])
        // Two scrapes before t0: the tracks were scraped steadily up to it, so series first seen inside
        // the interval are new and count from 0.
        _ = try await env.mark()
        let t0 = try await env.mark()
        // Phase B: the values at its end; "/new" and the timeout series appear inside the interval.
        try await env.publish(s, [
            http(s, "stable", version: "1.0", route: "/a", status: "200", count: 1900, le: [1700, 1880, 1895]),
            http(s, "stable", version: "1.0", route: "/a", status: "500", count: 9, le: [2, 6, 9]),
            http(s, "stable", version: "1.0", route: "/b", status: "200", count: 400, le: [330, 385, 400]),
            http(s, "canary", version: "2.0", route: "/a", status: "200", count: 140, le: [100, 130, 138]),
            http(s, "canary", version: "2.0", route: "/a", status: "503", count: 3, le: [0, 1, 3]),
            http(s, "canary", version: "2.0", route: "/new", status: "200", count: 4, le: [4, 4, 4]),
            http(s, "canary", version: "2.0", route: "/a", status: "200", errorType: "timeout", count: 2, le: [0, 0, 0]),
            http(s, "stable", version: "0.9", route: "/a", status: "200", count: 70, le: [70, 70, 70]),
            http("other", "canary", version: "2.0", route: "/a", status: "500", count: 90, le: [90, 90, 90]),
        ])
        let t1 = try await env.mark()

        let provider = try env.provider()
        let target = AnalysisTarget(service: s, stableVersion: "1.0", canaryVersion: "2.0")
        let reading = await provider.sample(for: target, from: t0, to: t1, queries: [])
        let baseline = await provider.baseline(for: target, from: t0, to: t1)
        await provider.shutdown()
        let sample = try value(reading)

        // stable: /a 900 + 4 (errors), /b 100.
        #expect(sample.stable.requests == 1004)
        #expect(sample.stable.errors == 4)
        #expect(sample.stable.latency == LatencyHistogram(bounds: bounds, counts: [800 + 1 + 80, 890 + 3 + 95, 897 + 4 + 100, 1004]))
        // canary: /a 90 + 2 (503) + 2 (timeout), /new 4 (new series counts from 0).
        #expect(sample.canary.requests == 98)
        #expect(sample.canary.errors == 4)
        #expect(sample.canary.latency == LatencyHistogram(bounds: bounds, counts: [60 + 0 + 4 + 0, 82 + 1 + 4 + 0, 88 + 2 + 4 + 0, 98]))

        #expect(Set(sample.routes.keys) == ["/a", "/b", "/new"])
        #expect(sample.routes["/a"]?.stable == TrackCounts(requests: 904, errors: 4,
                                                             latency: LatencyHistogram(bounds: bounds, counts: [801, 893, 901, 904])))
        #expect(sample.routes["/a"]?.canary == TrackCounts(requests: 94, errors: 4,
                                                             latency: LatencyHistogram(bounds: bounds, counts: [60, 83, 90, 94])))
        #expect(sample.routes["/b"]?.stable.requests == 100)
        #expect(sample.routes["/b"]?.canary == .zero)
        #expect(sample.routes["/new"]?.canary.requests == 4)
        #expect(sample.routes["/new"]?.stable == .zero)

        let base = try value(baseline)
        #expect(base.stable == sample.stable)
        #expect(base.routes["/b"] == sample.routes["/b"]?.stable)
    }

    @Test func counterResetIsHandled() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-reset"
        func state(_ stable: Double, _ canary: Double) -> [HistogramSeries] {
            [http(s, "stable", version: "1", route: "/", status: "200", count: stable, le: [stable, stable, stable]),
             http(s, "canary", version: "2", route: "/", status: "200", count: canary, le: [0, canary, canary])]
        }
        try await env.publish(s, state(100, 40))
        let t0 = try await env.mark()
        try await env.publish(s, state(110, 45))
        try await env.publish(s, state(5, 1))    // both processes restarted
        try await env.publish(s, state(12, 3))
        let t1 = try await env.mark()
        let provider = try env.provider()
        let reading = await provider.sample(for: AnalysisTarget(service: s, stableVersion: "1", canaryVersion: "2"), from: t0, to: t1, queries: [])
        await provider.shutdown()
        let sample = try value(reading)
        #expect(sample.stable.requests == 10 + 5 + 7)
        #expect(sample.canary.requests == 5 + 1 + 2)
        #expect(sample.canary.latency == LatencyHistogram(bounds: bounds, counts: [0, 8, 8, 8]))
    }

    @Test func analyzerRollsBackABrokenCanaryAndPromotesAHealthyOne() async throws {
        let env = try TestEnvironment.require()
        let key = "shop-decide"
        // Per service: stable (n, errors), canary (n, errors); latency: 90% ≤ 0.1 s, 98.5% ≤ 0.5 s, 99.5% ≤ 1 s.
        func series(_ service: String, _ track: String, _ version: String, n: Double, errors: Double) -> [HistogramSeries] {
            let ok = n - errors
            return [
                http(service, track, version: version, route: "/", status: "200", count: ok,
                     le: [ok * 0.9, ok * 0.985, ok * 0.995]),
                http(service, track, version: version, route: "/", status: "500", count: errors,
                     le: [errors * 0.9, errors * 0.985, errors * 0.995]),
            ]
        }
        // Before the canary: stable's traffic only (the canary's pods are up, with no requests yet: an
        // interval is counted only from samples near its start, so a track first scraped inside it has no data).
        func idleCanaries() -> [HistogramSeries] {
            series("good", "canary", "2", n: 0, errors: 0) + series("bad", "canary", "2", n: 0, errors: 0)
        }
        try await env.publish(key, series("good", "stable", "1", n: 0, errors: 0) + series("bad", "stable", "1", n: 0, errors: 0) + idleCanaries())
        let b0 = try await env.mark()
        try await env.publish(key, series("good", "stable", "1", n: 100_000, errors: 1000) + series("bad", "stable", "1", n: 100_000, errors: 1000)
            + idleCanaries())
        let t0 = try await env.mark()
        // The canary interval: good has the same error rate as stable, bad ten times it.
        try await env.publish(key,
            series("good", "stable", "1", n: 200_000, errors: 2000) + series("good", "canary", "2", n: 50_000, errors: 500)
                + series("bad", "stable", "1", n: 200_000, errors: 2000) + series("bad", "canary", "2", n: 50_000, errors: 5000))
        let t1 = try await env.mark()

        var configuration = AnalysisConfiguration()
        configuration.latencyQuantiles = [0.99]
        let analyzer = CanaryAnalyzer(configuration: configuration)
        let provider = try env.provider()
        defer { Task { await provider.shutdown() } }
        for (service, expected) in [("good", Decision.Outcome.promote), ("bad", .rollback)] {
            let target = AnalysisTarget(service: service, stableVersion: "1", canaryVersion: "2")
            let baseline = try value(await provider.baseline(for: target, from: b0, to: t0))
            #expect(baseline.stable.requests == 100_000)
            var state = analyzer.start(baseline: baseline)
            // 1.5% of stable is slower than 500 ms, 0.5% slower than 1 s: 500 ms is nearer to p99's 1%.
            #expect(state.plan.tests.map(\.name) == ["error rate", "latency p99 > 500ms"])
            let sample = try value(await provider.sample(for: target, from: t0, to: t1, queries: []))
            #expect(sample.canary.requests == 50_000)
            var decision = analyzer.observe(sample, state: &state)
            if decision.outcome == .continue { decision = analyzer.conclude(state) }
            #expect(decision.outcome == expected, "\(service): \(decision.summary)")
            if expected == .rollback {
                #expect(decision.failedChecks.contains { $0.name == "error rate" }, "\(decision.summary)")
            }
        }
    }

    @Test func unknownServiceGivesNoData() async throws {
        let env = try TestEnvironment.require()
        let end = try await env.mark()
        let provider = try env.provider()
        let reading = await provider.sample(for: AnalysisTarget(service: "no-such-service"), from: end.addingTimeInterval(-30), to: end, queries: [])
        await provider.shutdown()
        let text = try #require(reason(reading))
        #expect(text.contains(#"no series for service "no-such-service" track stable"#), "\(text)")
    }

    @Test func missingCanaryGivesNoData() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-nocanary"
        try await env.publish(s, [http(s, "stable", version: "1", route: "/", status: "200", count: 10, le: [10, 10, 10])])
        let t0 = try await env.mark()
        try await env.publish(s, [http(s, "stable", version: "1", route: "/", status: "200", count: 20, le: [20, 20, 20])])
        let t1 = try await env.mark()
        let provider = try env.provider()
        let reading = await provider.sample(for: AnalysisTarget(service: s, stableVersion: "1", canaryVersion: "2"), from: t0, to: t1, queries: [])
        await provider.shutdown()
        let text = try #require(reason(reading))
        #expect(text.contains(#"no series for service "shop-nocanary" track canary version "2""#), "\(text)")
    }

    @Test func versionsWithQuotesBackslashesAndNewlinesMatchExactly() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-quotes"
        let stableVersion = #"1.0" or vector(1) or "\"#
        let canaryVersion = "2.0\\\"}\nbeta"
        func state(_ k: Double) -> [HistogramSeries] {
            [
                http(s, "stable", version: stableVersion, route: "/", status: "200", count: 10 * k, le: [10 * k, 10 * k, 10 * k]),
                http(s, "canary", version: canaryVersion, route: "/", status: "200", count: 3 * k, le: [3 * k, 3 * k, 3 * k]),
                // Decoys close to the real values.
                http(s, "stable", version: "1.0", route: "/", status: "200", count: 1000 * k, le: [0, 0, 0]),
                http(s, "stable", version: #"1.0" or vector(1) or ""#, route: "/", status: "200", count: 1000 * k, le: [0, 0, 0]),
                http(s, "canary", version: "2.0", route: "/", status: "200", count: 1000 * k, le: [0, 0, 0]),
                http(s, "canary", version: "2.0\\\"}", route: "/", status: "200", count: 1000 * k, le: [0, 0, 0]),
            ]
        }
        try await env.publish(s, state(1))
        let t0 = try await env.mark()
        try await env.publish(s, state(2))
        let t1 = try await env.mark()
        let provider = try env.provider()
        let target = AnalysisTarget(service: s, stableVersion: stableVersion, canaryVersion: canaryVersion)
        let sample = try value(await provider.sample(for: target, from: t0, to: t1, queries: []))
        #expect(sample.stable.requests == 10)
        #expect(sample.canary.requests == 3)
        // A service name that tries to widen the selector finds nothing.
        let attack = AnalysisTarget(service: #"x", service_name=~".+"#, stableVersion: stableVersion, canaryVersion: canaryVersion)
        let attacked = await provider.sample(for: attack, from: t0, to: t1, queries: [])
        await provider.shutdown()
        #expect(reason(attacked)?.contains("no series for service") == true, "\(String(describing: reason(attacked)))")
    }

    @Test func queryChecksSubstitutePlaceholders() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-query"
        let canaryVersion = #"2"b\c"#
        let gauges = [
            GaugeSample(name: "shop_conversion", labels: [("service_name", s), ("deployment_track", "stable"), ("service_version", "1")], value: 0.25),
            GaugeSample(name: "shop_conversion", labels: [("service_name", s), ("deployment_track", "canary"), ("service_version", canaryVersion)], value: 0.2),
            GaugeSample(name: "shop_conversion", labels: [("service_name", s), ("deployment_track", "canary"), ("service_version", "2")], value: 99),
        ]
        try await env.publish(s, [
            http(s, "stable", version: "1", route: "/", status: "200", count: 1, le: [1, 1, 1]),
            http(s, "canary", version: canaryVersion, route: "/", status: "200", count: 1, le: [1, 1, 1]),
        ], gauges: gauges)
        let t0 = try await env.mark()
        try await env.publish(s, [
            http(s, "stable", version: "1", route: "/", status: "200", count: 2, le: [2, 2, 2]),
            http(s, "canary", version: canaryVersion, route: "/", status: "200", count: 2, le: [2, 2, 2]),
        ], gauges: gauges)
        let t1 = try await env.mark()
        let checks = [
            QueryCheck(name: "conversion",
                       query: #"sum(shop_conversion{service_name="{{service}}",deployment_track="{{track}}",service_version="{{version}}"})"#,
                       compare: .lowerIsWorse, tolerance: 0.1),
            QueryCheck(name: "scalar", query: #"scalar(sum(shop_conversion{deployment_track="{{ track }}",service_version="{{version}}"})) * 2"#, max: 10),
            QueryCheck(name: "two-series", query: #"shop_conversion{deployment_track="canary"}"#, max: 1),
            QueryCheck(name: "empty", query: #"shop_conversion{service_name="nobody"}"#, max: 1),
            QueryCheck(name: "nan", query: "vector(0) / 0", max: 1),
            QueryCheck(name: "syntax", query: "sum(", max: 1),
            QueryCheck(name: "namespace", query: #"vector(1) and on() shop_conversion{ns="{{namespace}}"}"#, max: 1),
        ]
        let provider = try env.provider()
        let target = AnalysisTarget(service: s, stableVersion: "1", canaryVersion: canaryVersion)
        let sample = try value(await provider.sample(for: target, from: t0, to: t1, queries: checks))
        await provider.shutdown()
        #expect(sample.queries["conversion"] == QueryValues(stable: 0.25, canary: 0.2))
        #expect(sample.queries["scalar"] == QueryValues(stable: 0.5, canary: 0.4))
        let two = try #require(sample.queries["two-series"])
        #expect(two.stable == nil && two.canary == nil)
        #expect(two.reason?.contains("returned 2 series") == true, "\(two)")
        #expect(sample.queries["empty"]?.reason?.contains("no series") == true)
        #expect(sample.queries["nan"]?.reason?.contains("NaN") == true)
        #expect(sample.queries["syntax"]?.reason?.contains("HTTP 400 (bad_data") == true, "\(String(describing: sample.queries["syntax"]))")
        #expect(sample.queries["namespace"]?.reason?.contains("{{namespace}}") == true)
        // The counts still come with the query values.
        #expect(sample.stable.requests == 1 && sample.canary.requests == 1)
    }

    @Test func joinTargetInfoAttributesSeriesByJobAndInstance() async throws {
        let env = try TestEnvironment.require()
        let s = "shop-join"
        func series(_ instance: String, _ status: String, _ count: Double) -> HistogramSeries {
            HistogramSeries(labels: [("job", "ns/shop-join"), ("instance", instance), ("http_route", "/"),
                                     ("http_response_status_code", status)],
                            count: count, buckets: [count, count, count])
        }
        let info = [
            GaugeSample(name: "target_info", labels: [("job", "ns/shop-join"), ("instance", "pod-s1"), ("service_name", s),
                                                      ("deployment_track", "stable"), ("service_version", "1")], value: 1),
            GaugeSample(name: "target_info", labels: [("job", "ns/shop-join"), ("instance", "pod-s2"), ("service_name", s),
                                                      ("deployment_track", "stable"), ("service_version", "1")], value: 1),
            GaugeSample(name: "target_info", labels: [("job", "ns/shop-join"), ("instance", "pod-c1"), ("service_name", s),
                                                      ("deployment_track", "canary"), ("service_version", "2")], value: 1),
            // An old canary version's pod: not counted.
            GaugeSample(name: "target_info", labels: [("job", "ns/shop-join"), ("instance", "pod-old"), ("service_name", s),
                                                      ("deployment_track", "canary"), ("service_version", "1.5")], value: 1),
        ]
        func state(_ k: Double) -> [HistogramSeries] {
            [series("pod-s1", "200", 100 * k), series("pod-s2", "200", 50 * k), series("pod-s2", "500", 2 * k),
             series("pod-c1", "200", 10 * k), series("pod-c1", "502", 1 * k), series("pod-old", "200", 1000 * k)]
        }
        try await env.publish(s, state(1), gauges: info)
        let t0 = try await env.mark()
        try await env.publish(s, state(3), gauges: info)
        let t1 = try await env.mark()
        let provider = try env.provider { $0.joinTargetInfo = true }
        let sample = try value(await provider.sample(
            for: AnalysisTarget(service: s, stableVersion: "1", canaryVersion: "2"), from: t0, to: t1, queries: []))
        let unknown = await provider.sample(for: AnalysisTarget(service: "nobody"), from: t0, to: t1, queries: [])
        await provider.shutdown()
        #expect(sample.stable == TrackCounts(requests: 304, errors: 4, latency: LatencyHistogram(bounds: bounds, counts: [304, 304, 304, 304])))
        #expect(sample.canary == TrackCounts(requests: 22, errors: 2, latency: LatencyHistogram(bounds: bounds, counts: [22, 22, 22, 22])))
        #expect(reason(unknown)?.contains("no target_info series for service \"nobody\"") == true, "\(String(describing: reason(unknown)))")
    }

    @Test func sendsCredentialsAndReportsANonPrometheusAnswerWithoutThem() async throws {
        let env = try TestEnvironment.require()
        let end = try await env.mark()
        // Point the provider at the exporter: it answers every request with exposition text, not JSON.
        for (auth, header) in [(PrometheusConfiguration.Authentication.bearer(token: "tok-123"), "Bearer tok-123"),
                               (.basic(username: "fledge", password: "pa:ss"), "Basic ZmxlZGdlOnBhOnNz")] {
            var configuration = PrometheusConfiguration(address: URL(string: "http://127.0.0.1:\(env.exporter.port)/prom")!)
            configuration.lag = .zero
            configuration.authentication = auth
            let provider = try PrometheusProvider(configuration: configuration)
            let reading = await provider.sample(for: AnalysisTarget(service: "shop"), from: end.addingTimeInterval(-10), to: end, queries: [])
            await provider.shutdown()
            let text = try #require(reason(reading))
            #expect(text.contains("not the JSON of its query API"), "\(text)")
            #expect(!text.contains("tok-123") && !text.contains("pa:ss") && !text.contains("ZmxlZGdl"))
            let requests = env.exporter.requests(to: "/prom/api/v1/query")
            #expect(requests.last?.method == "POST")
            #expect(requests.last?.authorization == header)
        }
    }
}
