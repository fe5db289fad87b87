import CanaryAnalysis
import CanaryAnalysisPrometheus
import Foundation
import PrometheusTesting
import Kube
import KubeJSON
import Testing
import WorkloadSimulator

/// The simulator against the in-process emulator over real HTTP, and read back through a real Prometheus with
/// Fledge's own Prometheus provider.
@Suite(.simulatorEnvironment, .serialized) struct SimulatorIntegrationTests {
    /// `_count` samples of the shop's and the untagged service's series from `/metrics`.
    struct CountSample {
        var labels: [String: String]
        var value: Double
    }

    func counts(_ environment: SimulatorEnvironment) async throws -> [CountSample] {
        let (status, body) = try await environment.get("/metrics")
        #expect(status == 200)
        return body.split(separator: "\n").compactMap { line -> CountSample? in
            guard line.hasPrefix("http_server_request_duration_seconds_count{"),
                  let sample = MetricsExpositionTests.Sample(String(line)) else { return nil }
            return CountSample(labels: sample.labels, value: sample.value)
        }
    }

    @Test func stateListsTheEmulatorPodsWithTheirTaggedIdentity() async throws {
        let environment = try SimulatorEnvironment.require()
        try await environment.waitForAllPodsReady()
        let pods = try await environment.state().pods
        let stable = pods.filter { $0.name.hasPrefix("shop-stable-") }
        let canary = pods.filter { $0.name.hasPrefix("shop-canary-") }
        let untagged = pods.filter { $0.name.hasPrefix("untagged-") }
        #expect(stable.count == 3 && canary.count == 1 && untagged.count == 1)
        #expect(stable.allSatisfy { $0.service == "shop" && $0.version == "1.0.0" && $0.track == "stable" && $0.namespace == "default" })
        #expect(canary.allSatisfy { $0.service == "shop" && $0.version == "2.0.0" && $0.track == "canary" })
        #expect(untagged.allSatisfy { $0.service == "untagged" && $0.version == nil && $0.track == nil })
        // The shop's rate is split by replica count: the canary gets a quarter.
        #expect(canary.first?.rate == SimulatorEnvironment.rate / 4)
        #expect(stable.allSatisfy { $0.rate == SimulatorEnvironment.rate / 4 })
        #expect(untagged.first?.rate == SimulatorEnvironment.rate)
        // The Prometheus configuration was written once the port was known.
        let yaml = try String(contentsOfFile: environment.prometheusConfigPath, encoding: .utf8)
        #expect(yaml.contains("\"127.0.0.1:\(environment.address.port)\""))
        #expect(environment.address.port != 0)
    }

    @Test func metricsCarryTheLabelsAndTheCanaryGetsAQuarter() async throws {
        let environment = try SimulatorEnvironment.require()
        try await environment.waitForAllPodsReady()
        func totals(_ samples: [CountSample]) -> (canary: Double, stable: Double, canaryErrors: Double, stableErrors: Double) {
            let shop = samples.filter { $0.labels["service_name"] == "shop" }
            func sum(_ track: String, errors: Bool) -> Double {
                shop.filter { $0.labels["deployment_track"] == track && (!errors || $0.labels["http_response_status_code"] == "500") }
                    .reduce(0) { $0 + $1.value }
            }
            return (sum("canary", errors: false), sum("stable", errors: false), sum("canary", errors: true), sum("stable", errors: true))
        }
        let before = totals(try await counts(environment))
        var after = before
        try await poll("3,000 more shop requests") {
            after = totals(try await counts(environment))
            return (after.canary + after.stable) - (before.canary + before.stable) >= 3000
        }
        let canary = after.canary - before.canary
        let stable = after.stable - before.stable
        let share = canary / (canary + stable)
        #expect(abs(share - 0.25) < 0.05, "canary share \(share)")
        #expect(after.canaryErrors / after.canary > 0.12, "canary error rate")
        #expect(after.stableErrors / after.stable < 0.03, "stable error rate")

        let samples = try await counts(environment)
        let canarySeries = samples.filter { $0.labels["deployment_track"] == "canary" }
        #expect(!canarySeries.isEmpty)
        for sample in canarySeries {
            #expect(sample.labels["service_name"] == "shop" && sample.labels["service_namespace"] == "default")
            #expect(sample.labels["service_version"] == "2.0.0" && sample.labels["http_request_method"] == "GET")
            #expect(sample.labels["k8s_pod_name"]?.hasPrefix("shop-canary-") == true)
            #expect(["/api/cart", "/api/checkout", "/"].contains(sample.labels["http_route"] ?? ""))
            #expect(sample.labels["job"] == nil && sample.labels["instance"] == nil)
        }
        let untagged = samples.filter { $0.labels["service_name"] == "untagged" }
        #expect(!untagged.isEmpty)
        #expect(untagged.allSatisfy { $0.labels["deployment_track"] == nil && $0.labels["service_version"] == nil })
    }

    @Test func scaledDownPodsDisappearAndTheRateIsSplitAgain() async throws {
        let environment = try SimulatorEnvironment.require()
        try await environment.waitForAllPodsReady()
        _ = try await environment.client.patch(Deployment.self, name: "untagged", namespace: "default", .merge(["spec": ["replicas": 2]]))
        try await poll("two untagged pods, each at half the rate") {
            let untagged = try await environment.state().pods.filter { $0.service == "untagged" }
            return untagged.count == 2 && untagged.allSatisfy { $0.ready && $0.rate == SimulatorEnvironment.rate / 2 }
        }
        _ = try await environment.client.patch(Deployment.self, name: "untagged", namespace: "default", .merge(["spec": ["replicas": 1]]))
        try await poll("one untagged pod again, in /state and /metrics") {
            let untagged = try await environment.state().pods.filter { $0.service == "untagged" }
            let podNames = Set(try await counts(environment).filter { $0.labels["service_name"] == "untagged" }.compactMap { $0.labels["k8s_pod_name"] })
            return untagged.count == 1 && untagged[0].rate == SimulatorEnvironment.rate && podNames == [untagged[0].name]
        }
    }

    /// Prometheus scrapes the simulator (with the configuration it wrote) every second; Fledge's provider reads
    /// the canary and stable counts back.
    @Test func prometheusProviderSeesTheCanaryAndItsErrors() async throws {
        let environment = try SimulatorEnvironment.require()
        try await environment.waitForAllPodsReady()
        let prometheus = try await PrometheusProcess.start(configFile: environment.prometheusConfigPath)
        do {
            try await check(prometheus)
        } catch {
            await prometheus.stop()
            throw error
        }
        await prometheus.stop()
    }

    private func check(_ prometheus: PrometheusProcess) async throws {
        try await poll("the canary's series in Prometheus", seconds: 30) {
            (try await prometheus.scalar(#"count(http_server_request_duration_seconds_count{service_name="shop",deployment_track="canary"})"#) ?? 0) > 0
        }
        /// Returns once Prometheus has committed a scrape taken after `time`.
        func waitForScrape(after time: Date) async throws {
            try await poll("a scrape after \(time)", seconds: 30) {
                guard let last = try await prometheus.scalar("max(timestamp(up))") else { return false }
                return last > time.timeIntervalSince1970
            }
        }
        let start = Date()
        try await waitForScrape(after: start)
        let end = start.addingTimeInterval(2)
        try await waitForScrape(after: end)

        var configuration = PrometheusConfiguration(address: prometheus.address)
        configuration.lag = .zero
        configuration.timeout = .seconds(10)
        let provider = try PrometheusProvider(configuration: configuration)
        let reading = await provider.sample(
            for: AnalysisTarget(service: "shop", namespace: "default", stableVersion: "1.0.0", canaryVersion: "2.0.0"),
            from: start, to: end, queries: [])
        await provider.shutdown()
        guard case .value(let sample) = reading else {
            Issue.record("no data: \(reading)")
            return
        }
        let total = Double(sample.canary.requests + sample.stable.requests)
        // About 2 s at 4,000 requests per second; one scrape more or less at either end.
        #expect(total > 4000 && total < 16000, "total \(total)")
        let share = Double(sample.canary.requests) / total
        #expect(abs(share - 0.25) < 0.05, "canary share \(share)")
        let canaryErrorRate = Double(sample.canary.errors) / Double(sample.canary.requests)
        let stableErrorRate = Double(sample.stable.errors) / Double(sample.stable.requests)
        #expect(canaryErrorRate > 0.15 && canaryErrorRate < 0.25, "canary error rate \(canaryErrorRate)")
        #expect(stableErrorRate < 0.02, "stable error rate \(stableErrorRate)")
        #expect(sample.canary.errors > 5 * sample.stable.errors)
        #expect(sample.canary.latency != nil && sample.stable.latency != nil)
        #expect(Set(sample.routes.keys) == ["/api/cart", "/api/checkout", "/"])
    }
}
