@testable import CanaryAnalysisPrometheus
import CanaryAnalysis
import Foundation
import PrometheusTesting
import TestSupport
import Testing

/// One real Prometheus scraping one ``FakeExporter``, shared by every test of a suite marked
/// with `.prometheus`: started before the suite's first test, stopped (and its folder deleted)
/// after its last.
final class TestEnvironment: Sendable {
    let exporter: FakeExporter
    let prometheus: PrometheusProcess
    /// For polling Prometheus from the tests.
    let client: PrometheusAPIClient

    private init(exporter: FakeExporter, prometheus: PrometheusProcess, client: PrometheusAPIClient) {
        self.exporter = exporter
        self.prometheus = prometheus
        self.client = client
    }

    enum State: Sendable {
        case ready(TestEnvironment)
        case failed(String)
    }

    @TaskLocal static var current: State?

    /// The suite's environment, or an error saying why there is none (which fails the test).
    static func require() throws -> TestEnvironment {
        switch current {
        case .ready(let environment): return environment
        case .failed(let message): throw HarnessError("the Prometheus test environment could not start: \(message)")
        case nil: throw HarnessError("this test needs the .prometheus suite trait")
        }
    }

    static func start() async throws -> TestEnvironment {
        let exporter = try await FakeExporter.start()
        do {
            let prometheus = try await PrometheusProcess.start(scraping: exporter.port)
            var configuration = PrometheusConfiguration(address: prometheus.address)
            configuration.timeout = .seconds(5)
            let client: PrometheusAPIClient
            do {
                client = try PrometheusAPIClient(configuration: configuration)
            } catch {
                await prometheus.stop()
                throw error
            }
            return TestEnvironment(exporter: exporter, prometheus: prometheus, client: client)
        } catch {
            await exporter.stop()
            throw error
        }
    }

    func stop() async {
        await client.shutdown()
        await prometheus.stop()
        await exporter.stop()
    }

    /// A provider on this Prometheus with lag 0 (and `adjust` applied).
    func provider(_ adjust: (inout PrometheusConfiguration) -> Void = { _ in }) throws -> PrometheusProvider {
        var configuration = PrometheusConfiguration(address: prometheus.address)
        configuration.lag = .zero
        configuration.timeout = .seconds(10)
        adjust(&configuration)
        return try PrometheusProvider(configuration: configuration)
    }

    /// Shows new series for test `key` and returns once Prometheus has scraped them.
    func publish(_ key: String, _ histograms: [HistogramSeries], gauges: [GaugeSample] = []) async throws {
        let generation = exporter.set(key, histograms: histograms, gauges: gauges)
        try await poll("generation \(generation) scraped") { [client] in
            guard case .vector(let series) = try await client.query("fledge_test_generation", at: Date()),
                  let value = series.first?.samples.first?.value else { return false }
            return value >= Double(generation)
        }
    }

    /// Now, as an interval boundary: returns once Prometheus has committed a scrape taken after it,
    /// so no scrape stamped at or before the returned time can see a later change to the series.
    func mark() async throws -> Date {
        let now = Date()
        let nowMs = PrometheusAPIClient.milliseconds(now)
        try await poll("a scrape after the mark") { [client] in
            guard case .vector(let series) = try await client.query("timestamp(fledge_test_generation)", at: Date()),
                  let value = series.first?.samples.first?.value else { return false }
            return Int64((value * 1000).rounded()) > nowMs
        }
        return now
    }

    /// Makes the exporter fail its scrapes (HTTP 503) and returns once Prometheus has recorded a failed
    /// scrape (`up` 0): from the returned time on, no sample of the exporter's series is stored.
    func stopScrapes() async throws -> Date {
        let stopped = Date()
        exporter.setScrapeable(false)
        try await poll("a failed scrape") { [client] in
            guard case .vector(let series) = try await client.query(#"up{job="fledge-test"}"#, at: Date()),
                  let value = series.first?.samples.first?.value else { return false }
            return value == 0
        }
        return stopped
    }

    /// Lets Prometheus scrape the exporter again and returns once a scrape has succeeded.
    func resumeScrapes() async throws {
        exporter.setScrapeable(true)
        try await poll("a successful scrape") { [client] in
            guard case .vector(let series) = try await client.query(#"up{job="fledge-test"}"#, at: Date()),
                  let value = series.first?.samples.first?.value else { return false }
            return value == 1
        }
    }

    /// Returns once the clock has passed `time`.
    func wait(until time: Date) async throws {
        while Date() <= time { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// Polls `condition` every 100 ms until it holds; fails after ``TestTimeouts/scaled(_:)`` of 30 s (a
    /// scrape comes every second once Prometheus has started, its first 5–6 s after the start).
    private func poll(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        let limit = Duration.seconds(30)
        let deadline = ContinuousClock.now + TestTimeouts.scaled(limit)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("timed out after \(TestTimeouts.describe(limit)) waiting for \(what)"
            + (lastError.map { " (last error: \($0))" } ?? ""))
    }
}

/// Runs a suite inside one shared ``TestEnvironment``. If it cannot start (no prometheus binary,
/// say), every test of the suite fails with the reason.
struct PrometheusEnvironmentTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let state: TestEnvironment.State
        do {
            state = .ready(try await TestEnvironment.start())
        } catch {
            state = .failed("\(error)")
        }
        do {
            try await TestEnvironment.$current.withValue(state) { try await function() }
        } catch {
            if case .ready(let environment) = state { await environment.stop() }
            throw error
        }
        if case .ready(let environment) = state { await environment.stop() }
    }
}

extension Trait where Self == PrometheusEnvironmentTrait {
    /// One real Prometheus (and exporter) for the whole suite.
    static var prometheus: Self { PrometheusEnvironmentTrait() }
}
