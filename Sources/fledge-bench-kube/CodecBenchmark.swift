import BenchSupport
import Foundation
import Kube
import KubeJSON

/// Client-side cost of a typed Deployment: `JSONDecoder` into ``Deployment`` and `JSONEncoder` back (which
/// re-derives the unknown fields from `originalJSON`), in one task on one core, each loop for a fixed time.
struct CodecBenchmark: Sendable {
    struct Result: Sendable {
        let bytes: Int
        let decodePerSecond: Double
        let encodePerSecond: Double
        let roundTripPerSecond: Double
        /// `JSONValue(parsing:)` of the same bytes (what `Deployment` decoding does a second time, for `originalJSON`).
        let jsonValueParsePerSecond: Double
        /// Foundation's `JSONSerialization` of the same bytes, for comparison.
        let foundationParsePerSecond: Double
    }

    /// The Deployment as the emulator serves it (defaults, status, managedFields).
    let json: Data
    /// How long each loop runs.
    let seconds: Double

    /// Creates a Deployment `web` in `default` (three replicas, one container with ports, env, resources and
    /// probes), waits until the stand-in reports it available, and returns the JSON a GET answers.
    static func sampleDeployment(_ client: KubeClient) async throws -> Data {
        let labels: JSONValue = ["app": "web", "app.kubernetes.io/part-of": "shop"]
        let container: JSONValue = [
            "name": "web", "image": "registry.example.com/shop/web:1.42.0",
            "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
            "env": [["name": "MODE", "value": "production"], ["name": "LOG_LEVEL", "value": "info"]],
            "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["memory": "256Mi"]],
            "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080], "periodSeconds": 5],
        ]
        let deployment = DynamicObject([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "labels": labels,
                         "annotations": ["fledge.dev/canary": "enabled"]],
            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]],
                     "template": ["metadata": ["labels": labels], "spec": ["containers": [container]]]],
        ])
        _ = try await client.create(.deployments, deployment, namespace: "default")
        let request = try RequestBuilder(.deployments, namespace: "default").get("web")
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let body = try await client.send(request).body
            let object = try JSONValue(parsing: body)
            if object["status"]?["availableReplicas"] != nil || ContinuousClock.now > deadline { return body }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func run() throws -> Result {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        // Warm up, and check the round trip keeps the object.
        let first = try decoder.decode(Deployment.self, from: json)
        let again = try decoder.decode(Deployment.self, from: try encoder.encode(first))
        guard again.metadata.name == first.metadata.name, again.spec == first.spec else {
            throw BenchError("Deployment did not survive decode+encode")
        }
        let json = self.json
        let decode = try Self.rate(seconds) { try decoder.decode(Deployment.self, from: json).metadata.name?.count ?? 0 }
        let encode = try Self.rate(seconds) { try encoder.encode(first).count }
        let both = try Self.rate(seconds) { try encoder.encode(try decoder.decode(Deployment.self, from: json)).count }
        let jsonValue = try Self.rate(seconds) { if case .object(let o) = try JSONValue(parsing: json) { o.count } else { 0 } }
        let foundation = try Self.rate(seconds) { (try JSONSerialization.jsonObject(with: json) as? [String: Any])?.count ?? 0 }
        return Result(bytes: json.count, decodePerSecond: decode, encodePerSecond: encode, roundTripPerSecond: both,
                      jsonValueParsePerSecond: jsonValue, foundationParsePerSecond: foundation)
    }

    /// Runs `body` repeatedly for `seconds` (checking the clock every 16 calls); calls per second.
    static func rate(_ seconds: Double, _ body: () throws -> Int) throws -> Double {
        var sink = 0
        var count = 0
        let start = Nanos.now()
        let end = start + Int64(seconds * 1e9)
        var now = start
        repeat {
            for _ in 0..<16 { sink &+= try body() }
            count += 16
            now = Nanos.now()
        } while now < end
        if sink == 42 { print("") }  // keeps the loop from being optimized away
        return Double(count) / Nanos.seconds(start, now)
    }
}
