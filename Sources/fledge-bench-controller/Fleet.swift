import BenchSupport
import Foundation
import Kube
import KubeJSON

/// The Rollouts of the benchmark and the load client that creates and changes them (not the controller's client).
struct Fleet: Sendable {
    let client: KubeClient
    let options: Options

    func namespace(_ i: Int) -> String { String(format: "bench-%02d", i % options.namespaces) }
    func name(_ i: Int) -> String { String(format: "r-%05d", i) }
    /// `namespace/name`, the key the metrics source and the recorder use.
    func key(_ i: Int) -> String { "\(namespace(i))/\(name(i))" }

    func image(_ version: String) -> String { "registry.example/bench/app:\(version)" }

    func container(_ version: String) -> JSONValue {
        var c: [String: JSONValue] = ["name": "app", "image": .string(image(version)),
                                      "resources": ["requests": ["cpu": "10m", "memory": "16Mi"]]]
        if options.ports { c["ports"] = [["name": "http", "containerPort": 8080]] }
        return .object(c)
    }

    func rollout(_ i: Int, version: String) -> JSONValue {
        let app = JSONValue.string(name(i))
        return [
            "apiVersion": "fledge.dev/v1alpha1", "kind": "Rollout",
            "metadata": ["name": .string(name(i)), "namespace": .string(namespace(i))],
            "spec": [
                "replicas": .number(Double(options.replicas)),
                "selector": ["matchLabels": ["app": app]],
                "template": ["metadata": ["labels": ["app": app]], "spec": ["containers": [container(version)]]],
                "strategy": ["canary": [
                    "steps": [["setWeight": 50], ["analysis": ["duration": .string("\(options.analysisSeconds)s")]]],
                    "analysis": [
                        "interval": .string("\(options.intervalSeconds)s"), "warmup": "0s",
                        "prometheus": ["address": "http://unused", "lag": "0s"],
                    ],
                ]],
            ],
        ]
    }

    /// Creates the CRD from crds/rollouts.fledge.dev.yaml (converted to JSON with python3: Yams is not a
    /// dependency here) and the namespaces.
    func setUp(crdPath: String) async throws {
        let crd = try Self.yamlToJSON(crdPath)
        _ = try await client.send(post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd))
        for n in 0..<options.namespaces {
            _ = try await client.send(post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace(n))]]))
        }
    }

    func post(_ path: String, _ body: JSONValue) throws -> Request {
        Request(method: .post, path: path, headers: ["Accept": "application/json", "Content-Type": "application/json"],
                body: try body.data(), verb: "create")
    }

    func path(_ i: Int) -> String { "/apis/fledge.dev/v1alpha1/namespaces/\(namespace(i))/rollouts" }

    /// Creates Rollouts `range` with `loadConcurrency` requests in flight.
    func create(_ range: Range<Int>) async throws {
        try await concurrently(range) { i in
            _ = try await client.send(try post(path(i), rollout(i, version: "v1")))
        }
    }

    /// Moves the template of Rollouts `range` to `version` (a merge patch of the container list).
    func update(_ range: Range<Int>, to version: String) async throws {
        try await concurrently(range) { i in
            let body: JSONValue = ["spec": ["template": ["spec": ["containers": [container(version)]]]]]
            _ = try await client.send(Request(method: .patch, path: path(i) + "/" + name(i),
                                              headers: ["Accept": "application/json", "Content-Type": "application/merge-patch+json"],
                                              body: try body.data(), verb: "patch"))
        }
    }

    func concurrently(_ range: Range<Int>, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let width = options.loadConcurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<width {
                group.addTask {
                    var i = range.lowerBound + w
                    while i < range.upperBound {
                        try await body(i)
                        i += width
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// How many Rollouts (all namespaces) match a field selector such as `status.phase!=Healthy`, asked with
    /// `limit=1` so the answer stays small.
    func count(fieldSelector: String?) async throws -> Int {
        var query: [Request.QueryItem] = [.init("limit", "1")]
        if let fieldSelector { query.append(.init("fieldSelector", fieldSelector)) }
        let request = Request(method: .get, path: "/apis/fledge.dev/v1alpha1/rollouts", query: query, verb: "list")
        let json = try JSONValue(parsing: try await client.send(request).body)
        return (json["items"]?.arrayValue?.count ?? 0) + (json["metadata"]?["remainingItemCount"]?.intValue ?? 0)
    }

    /// Polls until no Rollout matches `fieldSelector`; returns the seconds waited.
    func waitUntilNone(_ fieldSelector: String, what: String, timeout: Double, every: Duration = .seconds(1)) async throws -> Double {
        let start = Nanos.now()
        var lastReport = start
        while true {
            let left = try await count(fieldSelector: fieldSelector)
            if left == 0 { return Nanos.seconds(start, Nanos.now()) }
            let now = Nanos.now()
            if Nanos.seconds(start, now) > timeout { throw BenchError("\(left) Rollouts still \(what) after \(Int(timeout)) s") }
            if Nanos.seconds(lastReport, now) >= 15 {
                progress("  \(left) Rollouts \(what) after \(Int(Nanos.seconds(start, now))) s")
                lastReport = now
            }
            try await Task.sleep(for: every)
        }
    }

    /// The emulator's log of mutating requests, then cleared.
    func takeRequestLog() async throws -> [JSONValue] {
        let json = try JSONValue(parsing: try await client.send(Request(method: .get, path: "/emulator.fledge.dev/requests", verb: "get")).body)
        try await clearRequestLog()
        return json["items"]?.arrayValue ?? []
    }

    func clearRequestLog() async throws {
        _ = try await client.send(Request(method: .delete, path: "/emulator.fledge.dev/requests", verb: "delete"))
    }

    static func yamlToJSON(_ path: String) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("python3 could not convert \(path) to JSON (needs PyYAML)") }
        return try JSONValue(parsing: data)
    }
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data(("fledge-bench-controller: " + message + "\n").utf8))
}
