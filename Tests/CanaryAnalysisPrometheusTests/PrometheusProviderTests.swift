@testable import CanaryAnalysisPrometheus
import CanaryAnalysis
import Foundation
import PrometheusTesting
import Testing

/// Provider behaviour that needs no running Prometheus.
@Suite("Prometheus provider without a server")
struct PrometheusProviderTests {
    static let target = AnalysisTarget(service: "shop", stableVersion: "1", canaryVersion: "2")

    @Test func closedPortGivesNoDataWithAReason() async throws {
        // Held (bound, not listening) for the whole test: connections are refused and no parallel test's server
        // can take the port in between.
        let reserved = try LoopbackPort.reserve()
        defer { reserved.release() }
        let port = reserved.port
        var configuration = PrometheusConfiguration(address: URL(string: "http://127.0.0.1:\(port)")!)
        configuration.lag = .zero
        configuration.timeout = .seconds(1)  // keeps the suite quick should a refused connection ever be retried again
        configuration.authentication = .bearer(token: "s3cret-token")
        let provider = try PrometheusProvider(configuration: configuration)
        let end = Date().addingTimeInterval(-1)
        let reading = await provider.sample(for: Self.target, from: end.addingTimeInterval(-60), to: end, queries: [])
        let baseline = await provider.baseline(for: Self.target, from: end.addingTimeInterval(-60), to: end)
        await provider.shutdown()
        guard case .noData(let reason) = reading, case .noData(let baselineReason) = baseline else {
            Issue.record("expected noData, got \(reading) / \(baseline)")
            return
        }
        #expect(reason.contains("Prometheus at http://127.0.0.1:\(port) is unreachable"), "\(reason)")
        #expect(baselineReason.contains("unreachable"), "\(baselineReason)")
        #expect(!reason.contains("s3cret"))
    }

    @Test func intervalWithinTheLagGivesNoDataSayingToWait() async throws {
        var configuration = PrometheusConfiguration(address: URL(string: "http://127.0.0.1:9")!)
        configuration.lag = .seconds(15)
        let provider = try PrometheusProvider(configuration: configuration)
        let end = Date().addingTimeInterval(-5)
        let reading = await provider.sample(for: Self.target, from: end.addingTimeInterval(-60), to: end, queries: [])
        await provider.shutdown()
        guard case .noData(let reason) = reading else { Issue.record("expected noData"); return }
        #expect(reason.contains("less than the lag"), "\(reason)")
        #expect(reason.contains("wait until"), "\(reason)")
    }

    @Test func emptyIntervalGivesNoData() async throws {
        var configuration = PrometheusConfiguration(address: URL(string: "http://127.0.0.1:9")!)
        configuration.lag = .zero
        let provider = try PrometheusProvider(configuration: configuration)
        let end = Date().addingTimeInterval(-5)
        let reading = await provider.sample(for: Self.target, from: end, to: end, queries: [])
        await provider.shutdown()
        guard case .noData(let reason) = reading else { Issue.record("expected noData"); return }
        #expect(reason.contains("the interval is empty"), "\(reason)")
    }

    @Test func invalidConfigurationIsRejected() throws {
        func problem(_ adjust: (inout PrometheusConfiguration) -> Void) -> String? {
            var configuration = PrometheusConfiguration(address: URL(string: "http://prometheus:9090")!)
            adjust(&configuration)
            do {
                let provider = try PrometheusProvider(configuration: configuration)
                Task { await provider.shutdown() }
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.trackLabel = #"track"} or vector(1) #"# }?.contains("trackLabel") == true)
        #expect(problem { $0.metric = "bad metric" }?.contains("metric") == true)
        #expect(problem { $0.address = URL(string: "ftp://prometheus")! }?.contains("http or https") == true)
        #expect(problem { $0.address = URL(string: "http://user:pw@prometheus:9090")! }?.contains("credentials") == true)
        #expect(problem { $0.caFile = "/nonexistent/ca.pem" }?.contains("caFile") == true)
        #expect(problem { $0.endTolerance = .zero }?.contains("endTolerance") == true)
        #expect(problem { $0.seriesHistory = .seconds(-1) }?.contains("seriesHistory") == true)
    }

    @Test func droppingAProviderWithoutShutdownIsSafe() throws {
        _ = try PrometheusProvider(configuration: PrometheusConfiguration(address: URL(string: "http://127.0.0.1:9")!))
    }

    @Test func errorClassification() {
        let aggregator = TrafficAggregator(routeLabel: "http_route", statusCodeLabel: "http_response_status_code",
                                           errorTypeLabel: "error_type", window: CountingWindow(startMs: 0, endMs: 1, toleranceMs: 1, historyMs: 1))
        #expect(aggregator.isError(["http_response_status_code": "500"]))
        #expect(aggregator.isError(["http_response_status_code": "503"]))
        #expect(!aggregator.isError(["http_response_status_code": "404"]))
        #expect(!aggregator.isError(["http_response_status_code": "200"]))
        #expect(aggregator.isError(["http_response_status_code": "200", "error_type": "timeout"]))
        #expect(!aggregator.isError(["http_response_status_code": "200", "error_type": ""]))
        #expect(!aggregator.isError([:]))
    }

    @Test func endToleranceIsTwoScrapeIntervalsAndFiveSeconds() {
        #expect(PrometheusConfiguration.endTolerance(forScrapeInterval: .seconds(30)) == .seconds(65))
        #expect(PrometheusConfiguration.endTolerance(forScrapeInterval: .seconds(1)) == .seconds(7))
        #expect(PrometheusConfiguration.endTolerance(forScrapeInterval: .milliseconds(500)) == .seconds(6))
        #expect(PrometheusConfiguration(address: URL(string: "http://prometheus:9090")!).endTolerance == .seconds(65))
    }

    @Test func timesInReasons() {
        #expect(CountingWindow.iso(1_714_564_805_000) == "2024-05-01T12:00:05Z")
        #expect(CountingWindow.iso(1_714_564_805_250) == "2024-05-01T12:00:05.250Z")
        #expect(CountingWindow.iso(1_714_564_805_007) == "2024-05-01T12:00:05.007Z")
        #expect(CountingWindow.seconds(65_000) == "65s")
        #expect(CountingWindow.seconds(7_500) == "7.5s")
    }

    @Test func formEncodingAndTimestamps() {
        #expect(PrometheusAPIClient.formEncode(#"a{b="c d"}&x=+"#) == "a%7Bb%3D%22c%20d%22%7D%26x%3D%2B")
        #expect(PrometheusAPIClient.timestamp(Date(timeIntervalSince1970: 1_712_000_000.0456)) == "1712000000.045")
    }
}
