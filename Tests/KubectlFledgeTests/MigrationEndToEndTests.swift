import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Synchronization
import TestSupport
import Testing

/// Migrating a live Deployment to a Rollout (`spec.workloadRef`) and backing out, with real kubectl against the
/// emulator and the controller process. Capacity is checked from every Deployment state the API server went
/// through (a watch from before the Rollout exists: each event is one instant of the cluster's history): the
/// available pods of the old Deployment and the Rollout's together never fall below the replicas.
@Suite("migrating a Deployment end to end", .serialized)
struct MigrationEndToEndTests {
    /// Every Deployment state in the namespace, in the order the API server made them.
    final class DeploymentHistory: Sendable {
        struct State: Sendable {
            var name: String
            var available: Int
            var deleted: Bool
        }
        let states = Mutex<[State]>([])
        private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(client: KubeClient) async throws {
            let list = try await client.list(Deployment.self, namespace: "default")
            let stream = client.watch(Deployment.self, namespace: "default",
                                      options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 3600))
            for d in list.items { record(d, deleted: false) }
            task.withLock { $0 = Task { [self] in
                do {
                    for try await event in stream {
                        switch event {
                        case .added(let d), .modified(let d): record(d, deleted: false)
                        case .deleted(let d): record(d, deleted: true)
                        default: break
                        }
                    }
                } catch {}
            } }
        }

        func record(_ d: Deployment, deleted: Bool) {
            states.withLock { $0.append(State(name: d.metadata.name ?? "", available: deleted ? 0 : d.status?.availableReplicas ?? 0, deleted: deleted)) }
        }

        /// Ends the watch (its request too: the client must have none in flight when it shuts down).
        func stop() async {
            let running = task.withLock { $0 }
            running?.cancel()
            await running?.value
        }

        /// At each instant from `start` on at which one of `names` changed: their available pods together, and
        /// each one's ("web=2 web-stable=1").
        func totals(of names: [String], from start: Int = 0) -> [(total: Int, detail: String)] {
            let all = states.withLock { $0 }
            var available: [String: Int] = [:]
            var out: [(total: Int, detail: String)] = []
            for (i, s) in all.enumerated() {
                available[s.name] = s.available
                guard i >= start, names.contains(s.name) else { continue }
                out.append((names.reduce(0) { $0 + (available[$1] ?? 0) }, names.map { "\($0)=\(available[$0] ?? 0)" }.joined(separator: " ")))
            }
            return out
        }

        /// The instants at which `names` together had fewer than `minimum` available pods.
        func shortfalls(of names: [String], below minimum: Int, from start: Int = 0) -> [String] {
            totals(of: names, from: start).filter { $0.total < minimum }.map(\.detail)
        }

        /// The fewest available pods `names` had together at any instant from `start` on.
        func minimum(of names: [String], from start: Int = 0) -> Int {
            totals(of: names, from: start).map(\.total).min() ?? 0
        }

        var count: Int { states.withLock { $0.count } }
    }

    static func deployment(image: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: \(image)
                ports: [{containerPort: 8080}]

        """
    }

    static let service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]

        """

    static let rollout = """
        apiVersion: fledge.dev/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web, scaleDown: progressively}
          strategy:
            canary:
              steps: [{setWeight: 50}, {pause: {duration: 1s}}, {setWeight: 100}]

        """

    @Test func aLiveDeploymentMovesToARolloutAndBackWithoutLosingCapacity() async throws {
        try await KubectlEndToEndTests.withCluster(readyDelay: "1s") { env in try await Self.migrate(env) }
    }

    static func migrate(_ env: KubectlEndToEndTests.Environment) async throws {
        func apply(_ text: String, _ file: String) async throws {
            let path = env.directory.appendingPathComponent(file)
            try text.write(to: path, atomically: true, encoding: .utf8)
            try await env.ok("apply", "-f", path.path)
        }
        func web() async throws -> Deployment { try await env.client.get(Deployment.self, name: "web", namespace: "default") }

        // The application as it runs today: a Deployment of 3 and its Service.
        try await apply(Self.deployment(image: "registry.example/web:1.0.0"), "deployment.yaml")
        try await apply(Self.service, "service.yaml")
        try await eventually("Deployment web to have 3 pods available", seconds: 20) { try await web().status?.availableReplicas == 3 }
        let history = try await DeploymentHistory(client: env.client)
        do {
            try await migrateAndBackOut(env, history: history)
        } catch {
            await history.stop()
            throw error
        }
        await history.stop()
    }

    static func migrateAndBackOut(_ env: KubectlEndToEndTests.Environment, history: DeploymentHistory) async throws {
        func apply(_ text: String, _ file: String) async throws {
            let path = env.directory.appendingPathComponent(file)
            try text.write(to: path, atomically: true, encoding: .utf8)
            try await env.ok("apply", "-f", path.path)
        }
        func web() async throws -> Deployment { try await env.client.get(Deployment.self, name: "web", namespace: "default") }

        // The Rollout takes its template and its size from the Deployment, and takes its pods away only as its own
        // become available.
        try await apply(Self.rollout, "rollout.yaml")
        try await env.waitFor("Healthy at 1.0.0 with the Deployment scaled down") {
            $0.status?.phase == .healthy && $0.status?.stableVersion == "1.0.0" && $0.status?.workload?.scaledDown == true
        }
        #expect(try await web().spec?.replicas == 0)
        #expect(try await web().metadata.labels?[FledgeNames.workloadLabel] == "web")
        #expect(try await env.replicas("web-stable") == 3)
        let status = try await env.rollout().status
        #expect(status?.workload == WorkloadStatus(name: "web", replicas: 3, scaledDown: true))
        #expect(status?.replicas == 3)
        // The user's own Service is used as it is (it selects app=web, which both tracks' pods carry); only the
        // track Services are created.
        let service: Kube.Service = try await env.client.get(Kube.Service.self, name: "web", namespace: "default")
        #expect(service.metadata.ownerReferences == nil)
        let stableService: Kube.Service = try await env.client.get(Kube.Service.self, name: "web-stable", namespace: "default")
        #expect(stableService.metadata.ownerReferences?.first?.kind == "Rollout")
        let events = try await env.ok("get", "events", "--field-selector", "involvedObject.kind=Rollout", "-o", "jsonpath={.items[*].reason}")
        #expect(events.contains("WorkloadReferenced") && events.contains("WorkloadScaledDown"), "\(events)")
        let migration = history.shortfalls(of: ["web", "web-stable"], below: 3)
        #expect(migration.isEmpty, "fewer than 3 pods available during the migration: \(migration)")
        #expect(history.count > 4, "the watch saw the migration")
        print("migration: \(history.count) Deployment states, fewest available (web + web-stable) \(history.minimum(of: ["web", "web-stable"])) of 3")

        // The plugin shows the Deployment, and refuses to write a template into a Rollout that takes it from one.
        let shown = try await env.kubectl("fledge", "get", "rollout", "web")
        #expect(shown.stdout.contains("Workload:      Deployment web, scaleDown progressively: scaled down (it had 3 replicas)"), "\(shown.stdout)")
        let setImage = try await env.kubectl("fledge", "set", "image", "web", "web=registry.example/web:9.9.9")
        #expect(setImage.status == 1)
        #expect(setImage.stderr.contains("runs the template of Deployment \"web\" (spec.workloadRef)"), "\(setImage.stderr)")

        // A new template on the Deployment is a canary of the Rollout; the Deployment stays at 0.
        try await env.ok("set", "image", "deployment/web", "web=registry.example/web:2.0.0")
        try await env.waitFor("2.0.0 promoted") { $0.status?.phase == .healthy && $0.status?.stableVersion == "2.0.0" }
        #expect(try await web().spec?.replicas == 0)
        let stableImage = try await env.ok("get", "deployment", "web-stable", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
        #expect(stableImage == "registry.example/web:2.0.0")

        // Backing out: deleting the Rollout scales the Deployment back up, and the Rollout (with its stable
        // Deployment) goes only once the Deployment's pods are available.
        let backOut = history.count
        try await env.ok("delete", "rollout.fledge.dev", "web", "--wait=false")
        try await eventually("the Rollout to be gone", seconds: 30) {
            (try? await env.client.get(Rollout.self, name: "web", namespace: "default")) == nil
        }
        try await eventually("web-stable to be garbage-collected", seconds: 30) {
            (try? await env.client.get(Deployment.self, name: "web-stable", namespace: "default")) == nil
        }
        let restored = try await web()
        #expect(restored.spec?.replicas == 3)
        #expect(restored.status?.availableReplicas == 3)
        #expect(restored.metadata.labels?[FledgeNames.workloadLabel] == nil, "the label is removed")
        let back = history.shortfalls(of: ["web", "web-stable"], below: 3, from: backOut)
        #expect(back.isEmpty, "fewer than 3 pods available while backing out: \(back)")
        print("back-out: \(history.count - backOut) Deployment states, fewest available (web + web-stable) \(history.minimum(of: ["web", "web-stable"], from: backOut)) of 3")
    }
}
