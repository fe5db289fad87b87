import Foundation
import KubeJSON

/// A test Rollout, built as JSON (which `kubectl apply -f -` accepts), with short analysis windows for the
/// shared Prometheus: scraped every second, intervals of 2 s, 2 s of lag and warm-up.
struct RolloutManifest: Sendable {
    var name: String
    var namespace: String
    var version: String
    var replicas = 10
    /// The app's env (the simulator reads `DEMO_*`); a user-set resource attribute checks the merge. One route
    /// (the analysis tests the aggregate): a third of the simulator's default series, so its one `/metrics`
    /// answer for every pod of every running scenario stays within Prometheus's 1 s scrape timeout on a busy
    /// machine.
    var env: [(String, String)] = [
        ("DEMO_ERROR_RATE", "0.005"), ("DEMO_LATENCY_MS", "40"), ("DEMO_ROUTES", "/api/cart=1"),
        ("OTEL_RESOURCE_ATTRIBUTES", "team=checkout"),
    ]
    var steps: [JSONValue] = [.weight(10), .analysis("6s"), .weight(50), .analysis("6s"), .weight(100)]
    var prometheusAddress: String?
    var interval = "2s"
    var warmup = "2s"
    var onInconclusive: String?
    var maxExtensions: Int?
    /// `analysis.missingData.rollbackAfter`: how long a hold for missing data may last before the canary is rolled
    /// back. Longer than the default (three windows of a few seconds here) so that a busy machine, whose scrapes
    /// can miss an interval or two, never turns into a rollback for want of data.
    var missingDataRollbackAfter: String? = "5m"
    var templateAnnotations: [String: String] = [:]
    var progressDeadlineSeconds: Int?
    var paused: Bool?
    /// `spec.strategy.canary.trafficRouting` (`gatewayAPI`, `istio` or `nginx`); nil: no router, replicas split the traffic.
    var trafficRouting: JSONValue?

    init(name: String, namespace: String, version: String, prometheusAddress: String?) {
        self.name = name
        self.namespace = namespace
        self.version = version
        self.prometheusAddress = prometheusAddress
    }

    var image: String { "registry.example/fledge/\(name):\(version)" }

    /// A bad version: 8% of requests fail.
    mutating func failing(errorRate: String = "0.08") {
        setEnv("DEMO_ERROR_RATE", errorRate)
    }

    /// A bad version: 5% of requests take about 2 s.
    mutating func slowTail() {
        setEnv("DEMO_SLOW_RATE", "0.05")
        setEnv("DEMO_SLOW_MS", "2000")
    }

    mutating func setEnv(_ key: String, _ value: String) {
        if let i = env.firstIndex(where: { $0.0 == key }) { env[i].1 = value } else { env.append((key, value)) }
    }

    var json: JSONValue {
        var prometheus: [String: JSONValue] = ["scrapeInterval": "1s", "lag": "2s"]
        if let prometheusAddress { prometheus["address"] = .string(prometheusAddress) }
        var analysis: [String: JSONValue] = [
            "prometheus": .object(prometheus), "interval": .string(interval), "warmup": .string(warmup),
        ]
        if let onInconclusive { analysis["onInconclusive"] = .string(onInconclusive) }
        if let maxExtensions { analysis["maxExtensions"] = .number(Double(maxExtensions)) }
        if let missingDataRollbackAfter { analysis["missingData"] = ["rollbackAfter": .string(missingDataRollbackAfter)] }
        var metadata: [String: JSONValue] = ["labels": ["app": .string(name)]]
        if !templateAnnotations.isEmpty { metadata["annotations"] = .object(templateAnnotations.mapValues { .string($0) }) }
        var canary: [String: JSONValue] = ["steps": .array(steps), "analysis": .object(analysis)]
        if let trafficRouting { canary["trafficRouting"] = trafficRouting }
        var spec: [String: JSONValue] = [
            "replicas": .number(Double(replicas)),
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": .object(metadata),
                "spec": ["containers": [[
                    "name": "app",
                    "image": .string(image),
                    "ports": [["name": "http", "containerPort": 8080]],
                    "env": .array(env.map { ["name": .string($0.0), "value": .string($0.1)] }),
                ]]],
            ],
            "strategy": ["canary": .object(canary)],
        ]
        if let progressDeadlineSeconds { spec["progressDeadlineSeconds"] = .number(Double(progressDeadlineSeconds)) }
        if let paused { spec["paused"] = .bool(paused) }
        return [
            "apiVersion": "fledge.dev/v1alpha1",
            "kind": "Rollout",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": .object(spec),
        ]
    }

    var text: String { json.jsonString }
}

extension JSONValue {
    /// `{setWeight: w}`.
    static func weight(_ w: Int) -> JSONValue { ["setWeight": .number(Double(w))] }
    /// `{analysis: {duration: d}}`.
    static func analysis(_ duration: String) -> JSONValue { ["analysis": ["duration": .string(duration)]] }
    /// `{pause: {}}` or `{pause: {duration: d}}`.
    static func pause(_ duration: String? = nil) -> JSONValue {
        ["pause": duration.map { ["duration": .string($0)] } ?? .object([:])]
    }

    /// The value at a dotted path (`status.lastAnalysis.decision`; `[n]` indexes arrays).
    func at(_ dotted: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in dotted.split(separator: ".") {
            var key = Substring(part)
            var indexes: [Int] = []
            while let open = key.lastIndex(of: "["), key.hasSuffix("]"), let i = Int(key[key.index(after: open)..<key.index(before: key.endIndex)]) {
                indexes.insert(i, at: 0)
                key = key[..<open]
            }
            if !key.isEmpty { current = current?[String(key)] }
            for i in indexes {
                guard let array = current?.arrayValue, array.indices.contains(i) else { return nil }
                current = array[i]
            }
        }
        return current
    }

    func string(_ dotted: String) -> String? { at(dotted)?.stringValue }
    func int(_ dotted: String) -> Int? { at(dotted)?.intValue }
    func double(_ dotted: String) -> Double? { at(dotted)?.doubleValue }
}
