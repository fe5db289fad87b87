import Foundation
import KubeJSON

/// Limits how many scenarios run at once (the machine may have two cores, and each scenario runs a controller
/// and kubectl processes). Waiting here is not counted in any scenario's deadlines.
actor ScenarioGate {
    static let shared = ScenarioGate(width: 3)
    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func enter() async {
        if running < width {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}

/// One end-to-end scenario: its own namespace in the shared emulator, usually its own controller scoped to it,
/// and helpers that read the cluster with real kubectl. A failure carries the Rollouts' status and the
/// controller's log tail.
struct Scenario: Sendable {
    let environment: E2EEnvironment
    let namespace: String
    let controller: ControllerProcess?

    var kubectl: Kubectl { environment.kubectl }
    var prometheusAddress: String { environment.prometheus.address }

    /// Runs `body` in a fresh namespace `e2e-<name>-<random>`, with a controller for it unless `startController`
    /// is false (the body then starts its own). Afterwards, whatever happens, the controller is stopped and the
    /// namespace deleted: its pods leave the simulator, whose one `/metrics` answer for every pod must stay
    /// quick enough for Prometheus's 1 s scrape timeout on a busy machine (finished scenarios' pods would
    /// otherwise be rendered at every scrape until the run ends).
    static func run(_ name: String, startController: Bool = true, controllerPrometheus: String? = nil,
                    _ body: @Sendable (Scenario) async throws -> Void) async throws {
        let environment = try await E2EEnvironment.shared()
        await ScenarioGate.shared.enter()
        let namespace = "e2e-\(name)-\(UUID().uuidString.prefix(5).lowercased())"
        var controller: ControllerProcess?
        var failure: (any Error)?
        do {
            try await environment.kubectl.ok("create", "namespace", namespace)
            try await environment.grantLeaderElection(in: namespace)
            if startController {
                controller = try await ControllerProcess.start(
                    environment: environment, namespace: namespace,
                    prometheusAddress: controllerPrometheus ?? environment.prometheus.address)
            }
            let scenario = Scenario(environment: environment, namespace: namespace, controller: controller)
            do {
                try await body(scenario)
            } catch {
                let diagnostics = await scenario.diagnostics()
                failure = E2EError("\(error)\n\n---- namespace \(namespace)\n\(diagnostics)")
            }
        } catch {
            failure = error
        }
        await controller?.stop()
        // Least privilege, end to end: every request the controller made here was within the shipped RBAC.
        if failure == nil {
            do {
                let refused = try await environment.refusedRequests(in: namespace)
                if !refused.isEmpty {
                    failure = E2EError("the controller made requests the shipped RBAC (manifests/clusterrole.yaml) does not grant: "
                        + refused.map(\.jsonString).joined(separator: "; "))
                }
            } catch {
                failure = error
            }
        }
        _ = try? await environment.kubectl.run(["delete", "namespace", namespace, "--wait=false"])
        await ScenarioGate.shared.leave()
        if let failure { throw failure }
    }

    /// A manifest for this namespace with the shared Prometheus.
    func manifest(_ name: String, version: String) -> RolloutManifest {
        RolloutManifest(name: name, namespace: namespace, version: version, prometheusAddress: prometheusAddress)
    }

    // MARK: Reading the cluster

    func rollout(_ name: String) async throws -> JSONValue? {
        try await kubectl.getJSON(["rollout", name, "-n", namespace])
    }

    func deployment(_ name: String) async throws -> JSONValue? {
        try await kubectl.getJSON(["deployment", name, "-n", namespace])
    }

    /// `spec.replicas` of a Deployment (nil when it does not exist).
    func replicas(_ deployment: String) async throws -> Int? {
        try await self.deployment(deployment)?.int("spec.replicas")
    }

    /// The condition of `type` in a Rollout's status.
    static func condition(_ rollout: JSONValue, _ type: String) -> JSONValue? {
        rollout.at("status.conditions")?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    /// Waits until the Rollout satisfies `condition`; a timeout shows its status.
    @discardableResult
    func waitForRollout(_ name: String, _ what: String, timeout: Duration = .seconds(90),
                        _ condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        try await waitFor("rollout \(name): \(what)", timeout: timeout, describe: {
            (try? await self.rollout(name)).map { Self.summary($0) ?? "" } ?? "no rollout"
        }) {
            // Not `condition ? rollout : nil`: JSONValue is ExpressibleByNilLiteral, so that nil would be a JSON null
            // and end the wait at once.
            let none: JSONValue? = .none
            guard let rollout = try await self.rollout(name) else { return none }
            return condition(rollout) ? .some(rollout) : none
        }
    }

    /// Waits for phase Healthy with `version` stable and the latest generation observed.
    @discardableResult
    func waitForHealthy(_ name: String, stableVersion version: String, timeout: Duration = .seconds(120)) async throws -> JSONValue {
        try await waitForRollout(name, "phase Healthy with stable \(version)", timeout: timeout) { r in
            r.string("status.phase") == "Healthy" && r.string("status.stableVersion") == version
                && r.int("status.observedGeneration") == r.int("metadata.generation")
        }
    }

    /// Waits for phase Healthy with `version` stable, then until Prometheus has a few seconds of that version's
    /// stable traffic: the baseline the next canary's analysis starts from.
    @discardableResult
    func waitForHealthyWithBaseline(_ name: String, stableVersion version: String,
                                    prometheus: PrometheusServer? = nil) async throws -> JSONValue {
        let rollout = try await waitForHealthy(name, stableVersion: version)
        try await (prometheus ?? environment.prometheus).waitForBaseline(service: name, namespace: namespace, version: version)
        return rollout
    }

    /// Sets the `fledge.dev/action` annotation, as `kubectl fledge promote|abort|retry` does.
    func action(_ name: String, _ value: String) async throws {
        try await kubectl.ok("annotate", "--overwrite", "-n", namespace, "rollout/\(name)", "fledge.dev/action=\(value)")
    }

    /// Sets `spec.paused` with a merge patch.
    func setPaused(_ name: String, _ paused: Bool) async throws {
        try await kubectl.ok("patch", "-n", namespace, "rollout/\(name)", "--type=merge", "-p", "{\"spec\":{\"paused\":\(paused)}}")
    }

    /// Warning Events about `object` (a Rollout by name).
    func warningEvents(about object: String) async throws -> [JSONValue] {
        let list = try await kubectl.getJSON(["events", "-n", namespace,
                                              "--field-selector", "involvedObject.name=\(object),type=Warning"])
        return list?["items"]?.arrayValue ?? []
    }

    // MARK: Diagnostics

    /// One line per Rollout field a reader needs to see what happened.
    static func summary(_ rollout: JSONValue) -> String? {
        guard let status = rollout["status"] else { return "\(rollout.string("metadata.name") ?? "?"): no status" }
        var parts = [
            "phase=\(status["phase"]?.stringValue ?? "-")",
            "step=\(status["currentStepIndex"]?.intValue.map(String.init) ?? "-")",
            "weight=\(status["canaryWeight"]?.intValue.map(String.init) ?? "-")",
            "actual=\(status["actualCanaryWeight"]?.doubleValue.map { String($0) } ?? "-")",
            "stable=\(status["stableVersion"]?.stringValue ?? "-")",
            "canary=\(status["canaryVersion"]?.stringValue ?? "-")",
            "observedGeneration=\(status["observedGeneration"]?.intValue.map(String.init) ?? "-")/\(rollout.int("metadata.generation") ?? 0)",
        ]
        if let message = status["message"]?.stringValue { parts.append("message=\"\(message)\"") }
        if let analysis = status["lastAnalysis"] {
            parts.append("lastAnalysis=\(analysis["decision"]?.stringValue ?? "-"): \(analysis["summary"]?.stringValue ?? "")")
        }
        for condition in status["conditions"]?.arrayValue ?? [] {
            parts.append("\(condition["type"]?.stringValue ?? "?")=\(condition["status"]?.stringValue ?? "?")(\(condition["reason"]?.stringValue ?? ""): \(condition["message"]?.stringValue ?? ""))")
        }
        return parts.joined(separator: " ")
    }

    /// The namespace's Rollouts, Deployments and Events, and the controller's log tail.
    func diagnostics() async -> String {
        var out = ""
        if let list = try? await kubectl.getJSON(["rollouts", "-n", namespace]) {
            for item in list["items"]?.arrayValue ?? [] {
                out += "rollout \(item.string("metadata.name") ?? "?"): \(Self.summary(item) ?? "")\n"
            }
        }
        if let text = try? await kubectl.run(["get", "deployments,events", "-n", namespace, "-o", "wide"]) {
            out += text.stdout + text.stderr
        }
        if let controller {
            out += "\n---- controller log (tail; full log in \(environment.logDirectory.path)):\n\(controller.logTail())"
        }
        return out
    }
}
