import Testing
@testable import WorkloadSimulator

@Suite struct SettingsTests {
    @Test func durations() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1s") == .seconds(1))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("3") == .seconds(3))
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parse("soon") == nil)
        #expect(DurationText.prometheus(.seconds(1)) == "1s")
        #expect(DurationText.prometheus(.milliseconds(250)) == "250ms")
    }

    @Test func listenAddresses() {
        #expect(ListenAddress(parsing: "127.0.0.1:0") == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(ListenAddress(parsing: "[::1]:9464") == ListenAddress(host: "::1", port: 9464))
        #expect(ListenAddress(parsing: "[::1]:9464")?.description == "[::1]:9464")
        #expect(ListenAddress(parsing: "localhost") == nil)
        #expect(ListenAddress(parsing: ":80") == nil)
        #expect(ListenAddress(parsing: "host:70000") == nil)
        #expect(ListenAddress(host: "0.0.0.0", port: 5).reachable == ListenAddress(host: "127.0.0.1", port: 5))
    }

    @Test func prometheusConfigScrapesTheSimulator() {
        let yaml = PrometheusScrapeConfig(target: ListenAddress(host: "0.0.0.0", port: 41234), scrapeInterval: .milliseconds(500)).yaml
        #expect(yaml.contains("scrape_interval: 500ms"))
        #expect(yaml.contains("scrape_timeout: 500ms"))
        #expect(yaml.contains("honor_labels: true"))
        #expect(yaml.contains("metrics_path: /metrics"))
        #expect(yaml.contains(#"targets: ["127.0.0.1:41234"]"#))
    }
}
