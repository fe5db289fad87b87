import Foundation
import Kube
import KubeJSON
import TestSupport
import RolloutAPI
import Testing

/// A child process whose output goes to a file (so it never blocks on a full pipe); stopped by ``stop()``.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let outputPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String], outputPath: String) throws {
        self.outputPath = outputPath
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits for a line starting with `prefix`; returns the rest of it.
    func waitForLine(_ prefix: String) async throws -> String {
        var line: Substring?
        try await eventually("a line \"\(prefix)\" from \(process.executableURL?.lastPathComponent ?? "")", seconds: 30,
                             lastSeen: { "output:\n\(output.suffix(3000))" }) {
            line = output.split(separator: "\n").first { $0.hasPrefix(prefix) }
            if line == nil, !process.isRunning {
                Issue.record("\(process.executableURL?.lastPathComponent ?? "") exited before printing \"\(prefix)\"; output:\n\(output.suffix(3000))")
                throw CancellationError()
            }
            return line != nil
        }
        return String(line!.dropFirst(prefix.count))
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// The built products, kubectl from `make deps`, and `script` for a pseudo-terminal.
enum EndToEndTools {
    static let bin = repositoryRoot.appendingPathComponent(".build/debug")
    static func product(_ name: String) -> String { bin.appendingPathComponent(name).path }
    static let kubectl = repositoryRoot.appendingPathComponent(".venv/bin/kubectl").path
}

/// Real kubectl, with the built `kubectl-fledge` on PATH, against a `fledge-emulator` process with the
/// `fledge-controller` process running: the plugin's commands change what the controller does.
@Suite("kubectl fledge end to end", .serialized)
struct KubectlEndToEndTests {
    struct Environment {
        var directory: URL
        var kubeconfig: String
        var variables: [String: String]
        var client: KubeClient

        /// Runs a command to its end, waiting without holding a thread (a test blocked in `waitUntilExit` takes one
        /// of the two cooperative threads from every other test in the run).
        func run(_ executable: String, _ arguments: [String], extra: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = variables.merging(extra) { $1 }
            let out = directory.appendingPathComponent("run-\(UUID().uuidString).out")
            let err = directory.appendingPathComponent("run-\(UUID().uuidString).err")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
            defer {
                try? outHandle.close()
                try? errHandle.close()
            }
            process.standardOutput = outHandle
            process.standardError = errHandle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let limit = Duration.seconds(60)
            let deadline = ContinuousClock.now + TestTimeouts.scaled(limit)
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    process.terminate()
                    Issue.record("\(executable) \(arguments.joined(separator: " ")) did not finish within \(TestTimeouts.describe(limit))")
                    throw CancellationError()
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                    (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }

        func kubectl(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await run(EndToEndTools.kubectl, arguments)
        }

        /// `kubectl` that must succeed; returns its standard output.
        @discardableResult
        func ok(_ arguments: String...) async throws -> String {
            let r = try await run(EndToEndTools.kubectl, arguments)
            #expect(r.status == 0, "kubectl \(arguments.joined(separator: " ")): \(r.stderr)")
            return r.stdout
        }

        func apply(version: String) async throws {
            let manifest = directory.appendingPathComponent("web-\(version).yaml")
            try """
            apiVersion: fledge.dev/v1alpha1
            kind: Rollout
            metadata:
              name: web
            spec:
              replicas: 4
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: registry.example/web:\(version)
              strategy:
                canary:
                  steps: [{setWeight: 25}, {pause: {}}, {setWeight: 50}, {pause: {}}, {setWeight: 100}]

            """.write(to: manifest, atomically: true, encoding: .utf8)
            try await ok("apply", "-f", manifest.path)
        }

        func rollout() async throws -> Rollout { try await client.get(Rollout.self, name: "web", namespace: "default") }

        /// Waits until the Rollout satisfies `condition`.
        func waitFor(_ what: String, _ condition: (Rollout) -> Bool) async throws {
            var last: Rollout?
            try await eventually("the Rollout to be \(what)", seconds: 20, lastSeen: { "status: \(String(describing: last?.status))" }) {
                last = try? await rollout()
                return last.map(condition) ?? false
            }
        }

        func replicas(_ deployment: String) async throws -> Int? {
            try await client.get(Deployment.self, name: deployment, namespace: "default").spec?.replicas
        }
    }

    static func pausedAt(_ step: Int, version: String) -> (Rollout) -> Bool {
        { r in r.status?.phase == .paused && r.status?.currentStepIndex == step && r.status?.canaryVersion == version
            && r.status?.condition(.paused)?.reason == "PauseStep" }
    }

    /// Runs `body` with a `fledge-emulator` (Deployments ready after `readyDelay`), the CRD installed and a
    /// `fledge-controller` on it; both processes end and the client shuts down after it, whatever happens.
    static func withCluster(readyDelay: String = "200ms", _ body: (Environment) async throws -> Void) async throws {
        let (env, stop) = try await launch(readyDelay: readyDelay)
        defer { stop() }
        do {
            try await body(env)
        } catch {
            try? await env.client.shutdown()
            throw error
        }
        try await env.client.shutdown()
    }

    private static func launch(readyDelay: String) async throws -> (env: Environment, stop: @Sendable () -> Void) {
        for tool in [EndToEndTools.product("fledge-emulator"), EndToEndTools.product("fledge-controller"),
                     EndToEndTools.product("kubectl-fledge"), EndToEndTools.kubectl, "/usr/bin/script"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing: run make deps and swift build")
        }
        let directory = URL(fileURLWithPath: try temporaryFile("", name: "placeholder")).deletingLastPathComponent()
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        var variables = ProcessInfo.processInfo.environment
        variables["PATH"] = EndToEndTools.bin.path + ":" + (variables["PATH"] ?? "/usr/bin:/bin")
        variables["KUBECONFIG"] = kubeconfig
        variables["KUBECACHEDIR"] = directory.appendingPathComponent("kube-cache").path
        variables["KUBECTL_KUBERC"] = "false"
        variables["NO_COLOR"] = nil
        variables["TERM"] = "xterm"

        let emulator = try ChildProcess(EndToEndTools.product("fledge-emulator"),
                                        ["--port", "0", "--kubeconfig-out", kubeconfig, "--deployment-ready-delay", readyDelay, "--no-pods"],
                                        environment: variables, outputPath: directory.appendingPathComponent("emulator.log").path)
        var controller: ChildProcess?
        var client: KubeClient?
        do {
            _ = try await emulator.waitForLine("listening on http://")
            client = try KubeClient(configuration: try Kubeconfig.load(path: kubeconfig, environment: [:]))
            let env = Environment(directory: directory, kubeconfig: kubeconfig, variables: variables, client: client!)
            try await env.ok("apply", "-f", repositoryRoot.appendingPathComponent("crds/rollouts.fledge.dev.yaml").path)
            try await env.ok("wait", "--for=condition=Established", "--timeout=30s", "crd/rollouts.fledge.dev")
            controller = try ChildProcess(EndToEndTools.product("fledge-controller"),
                                          ["--kubeconfig", kubeconfig, "--no-leader-elect", "--metrics-address", "127.0.0.1:0",
                                           "--log-format", "text"],
                                          environment: variables, outputPath: directory.appendingPathComponent("controller.log").path)
            _ = try await controller!.waitForLine("metrics listening on ")
            let started = controller!
            return (env, { started.stop(); emulator.stop() })
        } catch {
            try? await client?.shutdown()
            controller?.stop()
            emulator.stop()
            throw error
        }
    }

    @Test func theControllerFollowsThePlugin() async throws {
        try await Self.withCluster { env in try await Self.followThePlugin(env) }
    }

    static func followThePlugin(_ env: Environment) async throws {
        let variables = env.variables, directory = env.directory

        // v1 becomes stable; v2 starts a canary that pauses at step 1.
        try await env.apply(version: "1.0.0")
        try await env.waitFor("Healthy at 1.0.0") { $0.status?.phase == .healthy && $0.status?.stableVersion == "1.0.0" }
        try await env.apply(version: "2.0.0")
        try await env.waitFor("paused at step 1", Self.pausedAt(1, version: "2.0.0"))

        // get -o json is the object, its status the controller's.
        let json = try await env.kubectl("fledge", "get", "rollout", "web", "-o", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let printed = try JSONValue(parsing: json.stdout)
        let stored: DynamicObject = try await env.client.get(Rollout.descriptor, name: "web", namespace: "default")
        #expect(printed["status"] == stored.json["status"])
        #expect(printed["status"]?["currentStepIndex"] == 1)

        // --watch on a pseudo-terminal while a promote moves the canary from step 1 to the pause at step 3.
        // The watch's own --timeout only bounds a hang: 30 s, scaled like every wait (it must outlast the promote below).
        let watchLimit = Int((30 * TestTimeouts.scale).rounded(.up))
        let watch = try ChildProcess("/usr/bin/script", ["-qfc", "kubectl fledge get rollout web --watch --timeout \(watchLimit)s", "/dev/null"],
                                     environment: variables, outputPath: directory.appendingPathComponent("watch.out").path)
        defer { watch.stop() }
        try await eventually("the watch to show step 2 of 5 (pause)", seconds: 10, lastSeen: { watch.output }) {
            watch.output.contains("2 of 5 (pause)")
        }
        let promote = try await env.kubectl("fledge", "promote", "web")
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stdout.contains("fledge.dev/action=promote:"))
        try await env.waitFor("paused at step 3", Self.pausedAt(3, version: "2.0.0"))
        try await eventually("the watch to show step 4 of 5 (pause)", seconds: 10, lastSeen: { watch.output }) {
            watch.output.contains("4 of 5 (pause)")
        }
        watch.stop()
        let screen = watch.output
        let first = try #require(screen.range(of: "2 of 5 (pause)"), "\(screen)")
        let later = try #require(screen.range(of: "4 of 5 (pause)"), "\(screen)")
        #expect(first.lowerBound < later.lowerBound)
        #expect(screen.contains("\u{1B}[1m"))           // colour on a terminal
        #expect(screen.range(of: "\u{1B}\\[[0-9]+F\u{1B}\\[J", options: .regularExpression) != nil)  // redrawn in place

        // pause / resume: spec.paused holds the canary, then lets it go on.
        #expect(try await env.kubectl("fledge", "pause", "web").status == 0)
        try await env.waitFor("paused by the user") { $0.spec?.paused == true && $0.status?.condition(.paused)?.reason == "PausedByUser" }
        #expect(try await env.kubectl("fledge", "resume", "web").status == 0)
        try await env.waitFor("back at the pause step") { $0.spec?.paused == false && Self.pausedAt(3, version: "2.0.0")($0) }

        // abort: a rollback: Degraded, the canary at 0 replicas, stable at all 4.
        let abort = try await env.kubectl("fledge", "abort", "web")
        #expect(abort.status == 0, "\(abort.stderr)")
        try await env.waitFor("aborted") { $0.status?.phase == .degraded && $0.status?.canary?.aborted?.reason == "Aborted" }
        try await eventually("web-canary scaled to 0", seconds: 10) { try await env.replicas("web-canary") == 0 }
        #expect(try await env.replicas("web-canary") == 0)
        #expect(try await env.replicas("web-stable") == 4)
        let stoppedView = try await env.kubectl("fledge", "get", "rollout", "web")
        #expect(stoppedView.stdout.contains("Phase:         Degraded"))
        #expect(stoppedView.stdout.contains("Stopped:       Aborted at "))
        let noRetryNeeded = try await env.kubectl("fledge", "abort", "web")
        #expect(noRetryNeeded.status == 1)
        #expect(noRetryNeeded.stderr.contains("already stopped"))

        // retry starts the canary again; promote --full from step 1 skips the pause at step 3.
        #expect(try await env.kubectl("fledge", "retry", "web").status == 0)
        try await env.waitFor("restarted and paused at step 1") { Self.pausedAt(1, version: "2.0.0")($0) && $0.status?.canary?.aborted == nil }
        let full = try await env.kubectl("fledge", "promote", "web", "--full")
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains("skips the remaining 4 steps"))
        try await env.waitFor("promoted fully") { $0.status?.phase == .healthy && $0.status?.stableVersion == "2.0.0" }
        #expect(try await env.rollout().status?.lastAction?.action == "promote-full")

        // Nothing to act on, a wrong name, a wrong namespace: exit 1 with the reason.
        let nothing = try await env.kubectl("fledge", "promote", "web")
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("no canary in progress: rollout \"web\" is Healthy at version 2.0.0"))
        let wrongName = try await env.kubectl("fledge", "get", "rollout", "nope")
        #expect(wrongName.status == 1)
        #expect(wrongName.stderr.contains("rollout \"nope\" not found in namespace \"default\""))
        let wrongNamespace = try await env.kubectl("fledge", "-n", "elsewhere", "abort", "web")
        #expect(wrongNamespace.status == 1)
        #expect(wrongNamespace.stderr.contains("rollout \"web\" not found in namespace \"elsewhere\""))
        let list = try await env.kubectl("fledge", "list", "rollouts")
        #expect(list.stdout.split(separator: "\n").last?.hasPrefix("web   Healthy  -     0/0     2.0.0") == true, "\(list.stdout)")

        // status: a promoted template exits 0 at once.
        let promoted = try await env.kubectl("fledge", "status", "web", "--timeout", "30s")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stdout.hasPrefix("web: 2.0.0 is stable"), "\(promoted.stdout)")

        // The scale subresource: kubectl scale sets spec.replicas; status carries the size and the selector an
        // autoscaler reads.
        let scaled = try await env.kubectl("scale", "fro/web", "--replicas=6")
        #expect(scaled.status == 0, "\(scaled.stderr)")
        try await env.waitFor("at 6 replicas") { $0.spec?.replicas == 6 && $0.status?.replicas == 6 }
        #expect(try await env.replicas("web-stable") == 6)
        #expect(try await env.ok("get", "fro", "web", "-o", "jsonpath={.status.selector}") == "app=web")
        let scale = try JSONValue(parsing: Data(try await env.ok("get", "fro", "web", "--subresource=scale", "-o", "json").utf8))
        #expect(scale["kind"] == "Scale")
        #expect(scale[path: ["status", "replicas"]] == 6)
        #expect(scale[path: ["status", "selector"]] == "app=web")

        // Mid-step: the split follows the new size at the step's weight; status says the rollout is held (exit 3).
        try await env.apply(version: "3.0.0")  // the manifest says replicas: 4
        try await env.waitFor("paused at step 1", Self.pausedAt(1, version: "3.0.0"))
        #expect(try await env.ok("scale", "fro/web", "--replicas=8").contains("scaled"))
        try await eventually("25% of 8: 2 canary and 6 stable", seconds: 20) {
            let canary = try await env.replicas("web-canary"), stable = try await env.replicas("web-stable")
            return canary == 2 && stable == 6
        }
        let held = try await env.kubectl("fledge", "status", "web")
        #expect(held.status == 3, "\(held.stdout) \(held.stderr)")
        #expect(held.stdout.hasPrefix("web: paused: "), "\(held.stdout)")
    }
}
