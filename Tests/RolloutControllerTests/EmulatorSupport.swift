import CanaryAnalysis
import CanaryAnalysisTesting
import Foundation
import Kube
import KubeEmulator
import KubeJSON
import KubeRuntime
import Logging
import TestSupport
import RolloutAPI
import RolloutController
import Synchronization

// The controller against the in-process emulator over real HTTP: the Rollout CRD registered through the client, the
// controller's informers and workers in a task, metrics from a scripted provider.

let quietLogger = Logger(label: "rollout-controller-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Polls `condition` until it holds; fails after `timeout` scaled by ``TestTimeouts`` (`FLEDGE_TEST_TIMEOUT_SCALE`):
/// `timeout` is what the awaited thing may take on an idle machine, with room to spare. Only waits, never measures.
func eventually(_ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    try await TestTimeouts.poll(what, limit: timeout, condition)
}

/// The Rollout CRD's essentials (crds/rollouts.fledge.dev.yaml without its detailed schema): the emulator then
/// accepts any spec, so specs only the resolver rejects reach the controller.
let rolloutCRD: JSONValue = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "rollouts.fledge.dev"],
    "spec": [
        "group": "fledge.dev", "scope": "Namespaced",
        "names": ["kind": "Rollout", "listKind": "RolloutList", "plural": "rollouts", "singular": "rollout",
                  "shortNames": ["fro"], "categories": ["all"]],
        "versions": [[
            "name": "v1alpha1", "served": true, "storage": true,
            // The shipped CRD's subresources (crds/rollouts.fledge.dev.yaml), with a schema that keeps everything.
            "subresources": ["status": [:], "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                                      "labelSelectorPath": ".status.selector"]],
            "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
        ]],
    ],
]

/// Metrics for every Rollout from one scripted provider; stable's baseline from a good sample's stable side.
final class ScriptedMetricsSource: AnalysisMetricsSource {
    let provider: ScriptedMetricProvider
    let baseline: Baseline
    private let baselines = Mutex(0)

    init(samples: [TrafficSample]) {
        provider = ScriptedMetricProvider(samples: samples)
        var b = Baseline()
        b.add(Traffic.good)
        baseline = b
    }

    /// How many times a baseline was fetched (once per analysed canary version).
    var baselineFetches: Int { baselines.withLock { $0 } }

    func metrics(for analysis: EffectiveAnalysis) throws -> any AnalysisMetrics { Metrics(source: self) }
    func shutdown() async {}

    struct Metrics: AnalysisMetrics {
        let source: ScriptedMetricsSource
        func sample(for target: AnalysisTarget, from start: Date, to end: Date, queries: [QueryCheck]) async -> MetricReading<TrafficSample> {
            await source.provider.sample(for: target, from: start, to: end, queries: queries)
        }
        func baseline(for target: AnalysisTarget, from start: Date, to end: Date) async -> MetricReading<Baseline> {
            source.baselines.withLock { $0 += 1 }
            return .value(source.baseline)
        }
    }
}

/// One controller "process": its own client, informers and workers, stopped by cancelling its task.
final class RunningController: Sendable {
    let client: KubeClient
    let fledge: FledgeController
    let task: Task<Void, any Error>

    init(url: URL, source: any AnalysisMetricsSource) async throws {
        client = try KubeClient(configuration: ClientConfiguration(server: url, requestTimeout: .seconds(10)), logger: quietLogger)
        var options = FledgeControllerOptions()
        options.workers = 2
        let fledge = FledgeController(client: client, options: options, metricsSource: source, logger: quietLogger)
        self.fledge = fledge
        let informers = fledge.informers
        let controller = fledge.controller
        task = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for informer in informers { group.addTask { try await informer.run() } }
                group.addTask {
                    try await fledge.waitForSync()
                    try await controller.run()
                }
                try await group.waitForAll()
            }
        }
        try await eventually("the controller's caches to sync") {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await fledge.waitForSync(); return true }
                group.addTask { try await Task.sleep(for: .milliseconds(200)); return false }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        await fledge.shutdown()
        try? await client.shutdown()
    }
}

/// An emulator with the Rollout CRD, a client for the test, and a metrics source shared by the controllers started.
struct Cluster {
    let emulator: KubeEmulator
    let client: KubeClient
    let metrics: ScriptedMetricsSource

    static func with<T>(samples: [TrafficSample], _ body: (Cluster) async throws -> T) async throws -> T {
        var config = EmulatorConfiguration()
        config.createPods = false
        config.deploymentReadyDelay = .milliseconds(50)
        config.bookmarkInterval = .milliseconds(200)
        let emulator = try await KubeEmulator.start(config)
        var client: KubeClient?
        do {
            client = try KubeClient(configuration: ClientConfiguration(server: emulator.url, requestTimeout: .seconds(10)), logger: quietLogger)
            let _: DynamicObject = try await client!.create(.customResourceDefinitions, DynamicObject(rolloutCRD))
            try await eventually("the Rollout resource to be served") {
                (try? await client!.list(Rollout.self, namespace: "default")) != nil
            }
            let result = try await body(Cluster(emulator: emulator, client: client!, metrics: ScriptedMetricsSource(samples: samples)))
            try await client!.shutdown()
            await emulator.shutdown()
            return result
        } catch {
            try? await client?.shutdown()
            await emulator.shutdown()
            throw error
        }
    }

    func startController() async throws -> RunningController {
        try await RunningController(url: emulator.url, source: metrics)
    }

    /// Runs `body` with a controller, stopping it afterwards whatever happens.
    func withController<T>(_ body: () async throws -> T) async throws -> T {
        let controller = try await startController()
        do {
            let result = try await body()
            await controller.stop()
            return result
        } catch {
            await controller.stop()
            throw error
        }
    }

    // MARK: Objects

    func create(_ rollout: Rollout) async throws {
        _ = try await client.create(rollout)
    }

    func rollout(_ name: String = Fixture.name) async throws -> Rollout {
        try await client.get(Rollout.self, name: name, namespace: "default")
    }

    func status(_ name: String = Fixture.name) async throws -> RolloutStatus {
        try await rollout(name).status ?? RolloutStatus()
    }

    func setTemplate(tag: String, name: String = Fixture.name) async throws {
        _ = try await client.patch(Rollout.self, name: name, namespace: "default", .merge(["spec": ["template": podTemplate(tag: tag)]]))
    }

    func annotate(_ action: String, name: String = Fixture.name) async throws {
        _ = try await client.patch(Rollout.self, name: name, namespace: "default",
                                   .merge(["metadata": ["annotations": [FledgeNames.actionAnnotation: .string(action)]]]))
    }

    func deployment(_ name: String) async throws -> Deployment? {
        try? await client.get(Deployment.self, name: name, namespace: "default")
    }

    /// Events recorded on the Rollout `name`.
    func events(for name: String = Fixture.name) async throws -> [JSONValue] {
        let list: ObjectList<DynamicObject> = try await client.list(.events, namespace: "default")
        return list.items.map(\.json).filter { $0["involvedObject"]?["name"]?.stringValue == name }
    }

    /// The emulator's log of mutating requests.
    func requestLog() async throws -> [JSONValue] {
        let response = try await client.send(Request(method: .get, path: "/emulator.fledge.dev/requests", verb: "get"))
        return try JSONValue(parsing: response.body)["items"]?.arrayValue ?? []
    }

    func clearRequestLog() async throws {
        _ = try await client.send(Request(method: .delete, path: "/emulator.fledge.dev/requests", verb: "delete"))
    }

    /// Waits for the Rollout's status to satisfy `condition`, saying what it last was on failure.
    func waitFor(_ what: String, name: String = Fixture.name, timeout: Duration = .seconds(15),
                 _ condition: (RolloutStatus) -> Bool) async throws {
        try await TestTimeouts.poll(what, limit: timeout, lastSeen: {
            let s = try? await status(name)
            return "phase \(s?.phase?.rawValue ?? "-"), step \(s?.currentStepIndex ?? -1), "
                + "stable \(s?.stableVersion ?? "-"), canary \(s?.canaryVersion ?? "-"), weight \(s?.canaryWeight.map(String.init) ?? "-"), "
                + "last analysis \(s?.lastAnalysis.map { "\($0.decision.outcome) after \($0.intervals) intervals" } ?? "-"), "
                + "message \(s?.message ?? "-")"
        }) { condition(try await status(name)) }
    }
}

/// A Rollout `default/<name>` for the emulator, with a fast analysis (interval 1s, no warm-up, no lag).
func clusterRollout(name: String = Fixture.name, tag: String = "1.0.0", steps: [RolloutStep]) -> Rollout {
    var rollout = makeRollout(tag: tag, replicas: 4, steps: steps,
                              analysis: analysisSpec(interval: "1s", warmup: "0s", lag: "0s"))
    rollout.metadata = ObjectMeta(name: name, namespace: "default")
    return rollout
}

extension KubeClient {
    /// The emulator's admin API: the next `count` requests with `verb` (an HTTP method, upper case) to a path
    /// containing `path` get `code`.
    func injectEmulatorFault(path: String, verb: String, code: Int, count: Int = 1) async throws {
        let body: JSONValue = ["path": .string(path), "verb": .string(verb), "code": .number(Double(code)), "count": .number(Double(count))]
        _ = try await send(Request(method: .post, path: "/emulator.fledge.dev/faults",
                                   headers: ["Accept": "application/json", "Content-Type": "application/json"],
                                   body: try body.data(), verb: "create"))
    }
}
