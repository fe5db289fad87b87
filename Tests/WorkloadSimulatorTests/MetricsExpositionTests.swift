import Testing
@testable import WorkloadSimulator

/// Simple line-level checks of the Prometheus text format.
@Suite struct MetricsExpositionTests {
    static func text() -> (String, [PodSimulator]) {
        let state = SimulationState(totalRate: 2000, seed: 3)
        state.update(pods: [
            SimulationStateTests.tagged("shop-a", version: "1.0.0", track: "stable"),
            SimulationStateTests.tagged("shop-b", version: "2.0.0", track: "canary", env: ["DEMO_ERROR_RATE": "0.3", "DEMO_SLOW_RATE": "0.2"]),
            PodDescription(pod: PodFixtures.pod("plain-x", labels: ["app": "plain"])),
            PodDescription(pod: PodFixtures.pod("odd-x", labels: ["app": "odd\"name\\with\nnewline"],
                                                env: ["OTEL_RESOURCE_ATTRIBUTES": "deployment.track=canary,9lives=yes,job=j,instance=i,host.name=h"])),
        ])
        state.advance(bySeconds: 2)
        return (MetricsExposition.render(state.pods()), state.pods())
    }

    /// `name{labels} value` split into its parts.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double

        init?(_ line: String) {
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            self.value = value
            guard let brace = series.firstIndex(of: "{") else {
                name = String(series)
                labels = [:]
                return
            }
            name = String(series[..<brace])
            labels = [:]
            // label="value" pairs; values may contain escaped quotes.
            var rest = Substring(series[series.index(after: brace)...].dropLast())
            while !rest.isEmpty {
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let key = String(rest[..<equals])
                rest = rest[rest.index(equals, offsetBy: 2)...]
                var value = ""
                var escaped = false
                var index = rest.startIndex
                while index < rest.endIndex {
                    let c = rest[index]
                    if escaped { value.append(c == "n" ? "\n" : c); escaped = false }
                    else if c == "\\" { escaped = true }
                    else if c == "\"" { break }
                    else { value.append(c) }
                    index = rest.index(after: index)
                }
                labels[key] = value
                rest = rest[rest.index(after: index)...]
                if rest.first == "," { rest = rest.dropFirst() }
            }
        }
    }

    @Test func helpAndTypeOncePerFamilyBeforeItsSamples() {
        let (text, _) = Self.text()
        let lines = text.split(separator: "\n").map(String.init)
        for family in ["http_server_request_duration_seconds", "target_info"] {
            let help = lines.indices.filter { lines[$0].hasPrefix("# HELP \(family) ") }
            let type = lines.indices.filter { lines[$0].hasPrefix("# TYPE \(family) ") }
            #expect(help.count == 1 && type.count == 1)
            let firstSample = lines.firstIndex { !$0.hasPrefix("#") && $0.hasPrefix(family) }!
            #expect(help[0] < firstSample && type[0] < firstSample)
        }
        #expect(lines.contains("# TYPE http_server_request_duration_seconds histogram"))
        #expect(lines.contains("# TYPE target_info gauge"))
        #expect(lines.allSatisfy { $0.hasPrefix("#") || Sample($0) != nil })
        #expect(text.hasSuffix("\n"))
    }

    @Test func bucketsAreCumulativeAndInfEqualsCount() {
        let (text, pods) = Self.text()
        let samples = text.split(separator: "\n").compactMap { Sample(String($0)) }
        func seriesKey(_ s: Sample) -> [String: String] { s.labels.filter { $0.key != "le" } }
        let counts = samples.filter { $0.name.hasSuffix("_count") }
        #expect(counts.count == pods.reduce(0) { $0 + $1.series.count })
        #expect(counts.count > 8)
        for count in counts {
            let buckets = samples.filter { $0.name.hasSuffix("_bucket") && seriesKey($0) == count.labels }
            #expect(buckets.map { $0.labels["le"]! } == ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5",
                                                           "0.75", "1", "2.5", "5", "7.5", "10", "+Inf"])
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value })
            #expect(buckets.last?.value == count.value)
            let sum = samples.first { $0.name.hasSuffix("_sum") && $0.labels == count.labels }
            #expect(sum != nil && sum!.value > 0)
        }
    }

    @Test func labelsOfTheDurationSeries() {
        let (text, _) = Self.text()
        let samples = text.split(separator: "\n").compactMap { Sample(String($0)) }.filter { $0.name.hasSuffix("_count") }
        let canary = samples.filter { $0.labels["k8s_pod_name"] == "shop-b" }
        #expect(!canary.isEmpty)
        for sample in canary {
            #expect(Set(sample.labels.keys) == ["service_name", "service_namespace", "service_version", "deployment_track",
                                                "http_route", "http_request_method", "http_response_status_code", "k8s_pod_name"])
            #expect(sample.labels["service_name"] == "shop" && sample.labels["service_namespace"] == "prod")
            #expect(sample.labels["service_version"] == "2.0.0" && sample.labels["deployment_track"] == "canary")
            #expect(sample.labels["http_request_method"] == "GET")
        }
        #expect(Set(canary.map { $0.labels["http_response_status_code"]! }) == ["200", "500"])
        #expect(Set(canary.map { $0.labels["http_route"]! }) == ["/api/cart", "/api/checkout", "/"])
        // Untagged: neither a track nor a version label.
        let plain = samples.filter { $0.labels["k8s_pod_name"] == "plain-x" }
        #expect(!plain.isEmpty)
        #expect(plain.allSatisfy { $0.labels["deployment_track"] == nil && $0.labels["service_version"] == nil })
        // Escaped values read back as they were.
        #expect(samples.contains { $0.labels["service_name"] == "odd\"name\\with\nnewline" })
        // Prometheus sets job and instance itself.
        #expect(!text.contains("job=") && !text.contains("instance="))
    }

    @Test func targetInfoPerPodWithTheResourceAttributes() {
        let (text, _) = Self.text()
        let infos = text.split(separator: "\n").compactMap { Sample(String($0)) }.filter { $0.name == "target_info" }
        #expect(infos.count == 4)
        #expect(infos.allSatisfy { $0.value == 1 })
        let shop = try! #require(infos.first { $0.labels["k8s_pod_name"] == "shop-b" })
        #expect(shop.labels["service_name"] == "shop" && shop.labels["service_version"] == "2.0.0")
        #expect(shop.labels["deployment_track"] == "canary" && shop.labels["k8s_namespace_name"] == "prod")
        let odd = try! #require(infos.first { $0.labels["k8s_pod_name"] == "odd-x" })
        #expect(odd.labels["key_9lives"] == "yes" && odd.labels["host_name"] == "h")
    }

    @Test func labelNamesAndNumbers() {
        #expect(MetricsExposition.labelName("service.name") == "service_name")
        #expect(MetricsExposition.labelName("k8s-pod/name") == "k8s_pod_name")
        #expect(MetricsExposition.labelName("1x") == "key_1x")
        #expect(MetricsExposition.formatBound(0.005) == "0.005" && MetricsExposition.formatBound(10) == "10")
        #expect(MetricsExposition.formatValue(3) == "3" && MetricsExposition.formatValue(0.25) == "0.25")
    }
}
