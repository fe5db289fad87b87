import CanaryAnalysis
@testable import FledgeCLI
import Foundation
import Kube
import KubeEmulator
import KubeJSON
import TestSupport
import RolloutAPI
import Testing

/// An in-process emulator with the Rollout CRD installed, a client for the test's own reads and writes, and the
/// kubeconfig the plugin is pointed at.
struct PluginCluster {
    let emulator: KubeEmulator
    let client: KubeClient
    let kubeconfig: String

    /// Runs the plugin in-process against the emulator.
    func plugin(_ arguments: [String], environment: [String: String] = [:]) async -> CommandResult {
        await runPlugin(arguments + ["--kubeconfig", kubeconfig], environment: environment)
    }

    static func with(_ body: (PluginCluster) async throws -> Void) async throws {
        var config = EmulatorConfiguration()
        config.deploymentReadyDelay = .milliseconds(50)
        config.bookmarkInterval = .milliseconds(200)
        config.createPods = false
        let emulator = try await KubeEmulator.start(config)
        let kubeconfig = try temporaryFile("", name: "kubeconfig")
        try emulator.writeKubeconfig(to: kubeconfig)
        let client = try KubeClient(configuration: try Kubeconfig.load(path: kubeconfig, environment: [:]))
        do {
            let crdText = try String(contentsOf: repositoryRoot.appendingPathComponent("crds/rollouts.fledge.dev.yaml"), encoding: .utf8)
            let crd = try ObjectPrinter.parseYAML(crdText)
            let _: DynamicObject = try await client.create(.customResourceDefinitions, DynamicObject(crd), namespace: nil)
            let cluster = PluginCluster(emulator: emulator, client: client, kubeconfig: kubeconfig)
            try await cluster.waitUntilRolloutsAreServed()
            try await body(cluster)
        } catch {
            try? await client.shutdown()
            await emulator.shutdown()
            throw error
        }
        try? await client.shutdown()
        await emulator.shutdown()
    }

    func waitUntilRolloutsAreServed() async throws {
        try await eventually("rollouts.fledge.dev to be served") {
            (try? await client.list(Rollout.self, namespace: "default")) != nil
        }
    }

    /// Creates a Rollout and, when given, writes its status as the controller would.
    @discardableResult
    func create(_ rollout: Rollout) async throws -> JSONValue {
        var spec = rollout
        spec.status = nil
        _ = try await client.create(spec)
        if let status = rollout.status {
            _ = try await client.patchStatus(Rollout.self, name: rollout.metadata.name!, namespace: rollout.metadata.namespace,
                                             .merge(["status": try JSONValue(encoding: status)]))
        }
        return try await stored(rollout.metadata.name!, namespace: rollout.metadata.namespace ?? "default")
    }

    /// The object as stored.
    func stored(_ name: String, namespace: String = "default") async throws -> JSONValue {
        let object: DynamicObject = try await client.get(Rollout.descriptor, name: name, namespace: namespace)
        return object.json
    }

    /// Calls the emulator's admin API.
    @discardableResult
    func admin(_ method: Request.Method, _ action: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let request = Request(method: method, path: "/emulator.fledge.dev/\(action)", headers: ["Content-Type": "application/json"],
                              body: try body?.data(), verb: method == .get ? "get" : "create")
        return try JSONValue(parsing: try await client.send(request).body)
    }

    /// The mutating requests the emulator logged since the last clear.
    func writes() async throws -> [JSONValue] {
        try await admin(.get, "requests")["items"]?.arrayValue ?? []
    }
}

extension JSONValue {
    /// The object without what every write changes (resourceVersion, generation, managedFields).
    var withoutBookkeeping: JSONValue {
        var copy = self
        copy["metadata"]?["resourceVersion"] = nil
        copy["metadata"]?["generation"] = nil
        copy["metadata"]?["managedFields"] = nil
        return copy
    }
}

@Suite("plugin against the emulator", .serialized)
struct PluginClusterTests {
    static let stopped = AbortRecord(reason: "AnalysisFailed", message: "error rate failed", time: "2025-03-14T09:31:00Z")

    @Test func getPrintsTheStoredObjectAsJSONAndYAML() async throws {
        try await PluginCluster.with { cluster in
            let stored = try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1, analysis: Sample.record)))
            let json = await cluster.plugin(["get", "rollout", "web", "-o", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(try JSONValue(parsing: json.stdout) == stored)
            let yaml = await cluster.plugin(["get", "rollout", "web", "-o", "yaml"])
            #expect(yaml.status == 0, "\(yaml.stderr)")
            #expect(try ObjectPrinter.parseYAML(yaml.stdout) == stored)
        }
    }

    @Test func theHumanViewReadsTheDeploymentsAndTheEvents() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1, analysis: Sample.record)))
            for (name, image, replicas) in [("web-stable", "registry.example/web:1.0.0", 3), ("web-canary", "registry.example/web:2.0.0", 1)] {
                let d = Deployment(metadata: ObjectMeta(name: name, namespace: "default"),
                                   spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: ["app": name]),
                                                        template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]),
                                                                                  spec: PodSpec(containers: [Container(name: "web", image: image)]))))
                _ = try await cluster.client.create(d)
            }
            let event: JSONValue = [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": "web.1", "namespace": "default"],
                "involvedObject": ["apiVersion": "fledge.dev/v1alpha1", "kind": "Rollout", "name": "web", "namespace": "default"],
                "reason": "AnalysisPassed", "message": "step 1: every check passed", "type": "Normal",
                "lastTimestamp": "2025-03-14T09:10:00Z",
            ]
            let _: DynamicObject = try await cluster.client.create(.events, DynamicObject(event), namespace: "default")
            let result = await cluster.plugin(["get", "rollout", "web"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.lines
            #expect(lines.contains { $0.hasPrefix("  stable  web-stable  3 ") })
            #expect(lines.contains { $0.hasPrefix("  canary  web-canary  1 ") })
            #expect(lines.contains("Stable:        1.0.0  web=registry.example/web:1.0.0  (template aaaaaaaaaa)"))
            #expect(lines.contains("  ▶  2  pause  ← current"))
            #expect(lines.contains("  09:10:00  AnalysisPassed  step 1: every check passed"))
            #expect(lines.contains { $0.hasPrefix("  09:30:05  Analysis ") })
            #expect(!result.stdout.contains("\u{1B}["))
        }
    }

    @Test func listsOneNamespaceOrAll() async throws {
        try await PluginCluster.with { cluster in
            _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "shop")))
            try await cluster.create(Sample.rollout(name: "web", status: Sample.canaryStatus(step: 1)))
            try await cluster.create(Sample.rollout(name: "api", status: Sample.healthy))
            try await cluster.create(Sample.rollout(name: "cart", namespace: "shop"))
            let here = await cluster.plugin(["list", "rollouts"])
            #expect(here.status == 0, "\(here.stderr)")
            #expect(here.lines.count == 3)
            #expect(here.lines[0].hasPrefix("NAME  PHASE    STEP  WEIGHT  STABLE  CANARY  AGE"))
            #expect(here.lines[1].hasPrefix("api   Healthy  -     0/0     1.0.0   -       "))
            #expect(here.lines[2].hasPrefix("web   Paused   2/3   50/50   1.0.0   2.0.0   "))
            let all = await cluster.plugin(["list", "rollouts", "-A"])
            #expect(all.lines.count == 4)
            #expect(all.lines.last?.split(separator: " ").prefix(7) == ["shop", "cart", "-", "-", "-/-", "-", "-"])
            let shop = await cluster.plugin(["-n", "shop", "list", "rollouts"])
            #expect(shop.lines.map { $0.split(separator: " ").first.map(String.init) } == ["NAME", "cart"])
            let json = await cluster.plugin(["list", "rollouts", "-A", "-o", "json"])
            let items = try JSONValue(parsing: json.stdout)["items"]?.arrayValue ?? []
            #expect(Set(items.compactMap { $0["metadata"]?["name"]?.stringValue }) == ["web", "api", "cart"])
            let empty = await cluster.plugin(["list", "rollouts", "-n", "kube-system"])
            #expect(empty.status == 0)
            #expect(empty.stdout.isEmpty)
            #expect(empty.stderr == "No rollouts found in kube-system namespace.\n")
        }
    }

    /// Runs `arguments` and checks that the Rollout changed only by `change` (applied to the object before), with
    /// one merge patch of the Rollout itself (not its status).
    func expectOnlyChange(_ cluster: PluginCluster, _ arguments: [String], output: String,
                          _ change: (inout JSONValue, JSONValue) throws -> Void) async throws {
        let before = try await cluster.stored("web")
        try await cluster.admin(.delete, "requests")
        let result = await cluster.plugin(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(result.stdout.contains(output), "\(result.stdout)")
        let after = try await cluster.stored("web")
        var expected = before.withoutBookkeeping
        try change(&expected, after)
        #expect(after.withoutBookkeeping == expected)
        let writes = try await cluster.writes()
        #expect(writes.count == 1)
        #expect(writes.first?["method"]?.stringValue == "PATCH")
        #expect(writes.first?["path"]?.stringValue == "/apis/fledge.dev/v1alpha1/namespaces/default/rollouts/web")
        #expect(writes.first?["contentType"]?.stringValue?.hasPrefix("application/merge-patch+json") == true)
    }

    /// The action the plugin wrote, checked to be `verb` with a fresh id.
    static func action(_ object: JSONValue, _ verb: RolloutAction.Verb) throws -> JSONValue {
        let value = try #require(object["metadata"]?["annotations"]?["fledge.dev/action"]?.stringValue)
        let action = try RolloutAction.parse(value)
        #expect(action.verb == verb)
        #expect(action.id.count == 22)
        return .string(value)
    }

    @Test func eachControlCommandWritesExactlyItsChange() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1)))
            try await expectOnlyChange(cluster, ["promote", "web"], output: "fledge.dev/action=promote:") { expected, after in
                expected["metadata"]?["annotations"] = ["fledge.dev/action": try Self.action(after, .promote)]
            }
            let first = try await cluster.stored("web")["metadata"]?["annotations"]?["fledge.dev/action"]
            try await expectOnlyChange(cluster, ["promote", "web", "--full"], output: "skips the remaining 2 steps") { expected, after in
                expected["metadata"]?["annotations"]?["fledge.dev/action"] = try Self.action(after, .promoteFull)
            }
            #expect(try await cluster.stored("web")["metadata"]?["annotations"]?["fledge.dev/action"] != first)
            try await expectOnlyChange(cluster, ["abort", "web"], output: "fledge.dev/action=abort:") { expected, after in
                expected["metadata"]?["annotations"]?["fledge.dev/action"] = try Self.action(after, .abort)
            }
            try await expectOnlyChange(cluster, ["pause", "web"], output: "rollout.fledge.dev/web paused: spec.paused=true") { expected, _ in
                expected["spec"]?["paused"] = true
            }
            try await expectOnlyChange(cluster, ["resume", "web"], output: "rollout.fledge.dev/web resumed: spec.paused=false") { expected, _ in
                expected["spec"]?["paused"] = false
            }
            // A stopped canary may be retried.
            _ = try await cluster.client.patchStatus(Rollout.self, name: "web", namespace: "default",
                                                     .merge(["status": ["canary": ["aborted": try JSONValue(encoding: Self.stopped)]]]))
            try await expectOnlyChange(cluster, ["retry", "web"], output: "fledge.dev/action=retry:") { expected, after in
                expected["status"]?["canary"]?["aborted"] = try JSONValue(encoding: Self.stopped)
                expected["metadata"]?["annotations"]?["fledge.dev/action"] = try Self.action(after, .retry)
            }
        }
    }

    /// Runs `arguments`, expects exit 1 with `message` on standard error, and no write.
    func expectRefusal(_ cluster: PluginCluster, _ arguments: [String], _ message: String) async throws {
        try await cluster.admin(.delete, "requests")
        let result = await cluster.plugin(arguments)
        #expect(result.status == 1, "\(arguments)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try await cluster.writes().isEmpty)
    }

    @Test func refusesActionsThatDoNotApplyAndNamesWhatIsMissing() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(name: "web", status: Sample.healthy))
            for verb in ["promote", "abort", "retry"] {
                try await expectRefusal(cluster, [verb, "web"], "no canary in progress: rollout \"web\" is Healthy at version 1.0.0")
            }
            try await expectRefusal(cluster, ["promote", "web", "--full"], "no canary in progress")
            _ = try await cluster.client.patchStatus(Rollout.self, name: "web", namespace: "default",
                                                     .merge(["status": try JSONValue(encoding: Sample.canaryStatus(step: 1))]))
            try await expectRefusal(cluster, ["retry", "web"], "nothing to retry: canary 2.0.0 of rollout \"web\" is not stopped")
            for command in [["get", "rollout"], ["promote"], ["abort"], ["retry"], ["pause"], ["resume"]] {
                try await expectRefusal(cluster, command + ["nope"], "Error: rollout \"nope\" not found in namespace \"default\" (NotFound)")
                try await expectRefusal(cluster, command + ["web", "-n", "elsewhere"],
                                        "Error: rollout \"web\" not found in namespace \"elsewhere\" (NotFound)")
            }
        }
    }

    @Test func forbiddenSaysTheVerbAndTheResource() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1)))
            try await cluster.admin(.post, "faults", ["path": "/rollouts/web", "verb": "PATCH", "code": 403, "count": 1,
                                                      "message": "rollouts.fledge.dev \"web\" is forbidden: User \"dev\" cannot patch resource"])
            let result = await cluster.plugin(["pause", "web"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("forbidden: you may not patch rollouts.fledge.dev \"web\" in namespace \"default\" (Forbidden: "))
            #expect(result.stderr.contains("User \"dev\" cannot patch resource"))
            try await cluster.admin(.post, "faults", ["path": "/rollouts", "verb": "list", "code": 403, "count": 1])
            let list = await cluster.plugin(["list", "rollouts", "-A"])
            #expect(list.status == 1)
            #expect(list.stderr.contains("forbidden: you may not list rollouts.fledge.dev in all namespaces (Forbidden"))
        }
    }

    @Test func usesKUBECONFIGAndTheContextNamespace() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1)))
            let result = await runPlugin(["get", "rollout", "web", "-o", "json"], environment: ["KUBECONFIG": cluster.kubeconfig])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try JSONValue(parsing: result.stdout)["metadata"]?["namespace"] == "default")
            let wrongContext = await cluster.plugin(["get", "rollout", "web", "--context", "missing"])
            #expect(wrongContext.status == 1)
            #expect(wrongContext.stderr.contains("context \"missing\" not found in kubeconfig"))
        }
    }

    @Test func watchRedrawsWhenTheRolloutChanges() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Sample.rollout(status: Sample.canaryStatus(step: 1)))
            let capture = Capture()
            let kubeconfig = cluster.kubeconfig
            let run = Task {
                await Console.$current.withValue(capture.console()) {
                    await FledgeCommand.execute(["get", "rollout", "web", "--watch", "--timeout", "20s", "--kubeconfig", kubeconfig])
                }
            }
            try await eventually("the first view") { capture.stdout.contains("Step:          2 of 3 (pause)") }
            var next = Sample.canaryStatus(step: 2, phase: .progressing)
            next.lastAnalysis = Sample.record
            _ = try await cluster.client.patchStatus(Rollout.self, name: "web", namespace: "default",
                                                     .merge(["status": try JSONValue(encoding: next)]))
            try await eventually("the second view") { capture.stdout.contains("Step:          3 of 3 (setWeight 100)") }
            run.cancel()
            _ = await run.value
            let out = capture.stdout
            #expect(out.contains("  ✓  2  pause"))
            // The decision seen during the watch stays in the history.
            #expect(out.contains("  09:30:05  Analysis  step 2, interval 7: continue"))
            // Not a terminal: views follow each other, no cursor movement.
            #expect(!out.contains("\u{1B}["))
        }
    }
}

/// Polls `condition` every 20 ms until it holds; records an issue after `seconds` scaled by ``TestTimeouts``
/// (`FLEDGE_TEST_TIMEOUT_SCALE`): a busy machine makes a test slower, never red. The one condition wait of
/// this target; `lastSeen` says, in the issue, what was there instead.
func eventually(_ what: String, seconds: Double = 15, lastSeen: () async -> String = { "" },
                _ condition: () async throws -> Bool) async throws {
    do {
        try await TestTimeouts.poll(what, limit: .milliseconds(Int(seconds * 1000)), lastSeen: lastSeen, condition)
    } catch let timedOut as WaitTimedOut {
        Issue.record("\(timedOut)")
        throw CancellationError()
    }
}
