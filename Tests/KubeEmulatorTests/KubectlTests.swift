import AsyncHTTPClient
import Foundation
import KubeEmulator
import NIOSSL
import KubeJSON
import Testing

/// One emulator shared by the kubectl suite (started on first use).
actor SharedEmulator {
    static let shared = SharedEmulator()
    private var emulator: KubeEmulator?

    func get() async throws -> KubeEmulator {
        if let emulator { return emulator }
        var config = EmulatorConfiguration()
        config.deploymentReadyDelay = .milliseconds(200)
        let e = try await KubeEmulator.start(config)
        emulator = e
        return e
    }
}

/// Real kubectl 1.37 against the emulator, with default (server-side, strict) validation.
@Suite(.serialized) struct KubectlTests {
    func setUp(_ name: String) async throws -> (KubeEmulator, Kubectl, String) {
        let emulator = try await SharedEmulator.shared.get()
        let k = try Kubectl.make(for: emulator, name: name)
        let ns = "kt-\(name.lowercased())"
        try await k.ok("create", "namespace", ns)
        return (emulator, k, ns)
    }

    func ensureCRD(_ k: Kubectl) async throws {
        try await k.ok("apply", "-f", Fixtures.path("widgets-crd.json"))
        try await k.ok("wait", "--for=condition=established", "crd/widgets.test.fledge.dev", "--timeout=10s")
    }

    @Test func applyCRDThenObjectsGetAndApplyAgain() async throws {
        let (_, k, ns) = try await setUp("apply")
        let crd = try await k.ok("apply", "-f", Fixtures.path("widgets-crd.json"))
        #expect(crd.contains("customresourcedefinition.apiextensions.k8s.io/widgets.test.fledge.dev"))
        try await k.ok("wait", "--for=condition=established", "crd/widgets.test.fledge.dev", "--timeout=10s")
        #expect(try await k.ok("apply", "-n", ns, "-f", Fixtures.path("widget-a.json")) == "widget.test.fledge.dev/a created\n")
        #expect(try await k.ok("apply", "-n", ns, "-f", Fixtures.path("widget-a.json")) == "widget.test.fledge.dev/a unchanged\n")
        let table = try await k.ok("get", "widgets", "-n", ns)
        let lines = table.split(separator: "\n")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "REPLICAS", "PHASE", "READY", "AGE"])
        #expect(lines.dropFirst().first?.hasPrefix("a ") == true)
        #expect(lines.dropFirst().first?.contains(" 2 ") == true)
        let short = try await k.ok("get", "wd", "a", "-n", ns, "-o", "name")
        #expect(short == "widget.test.fledge.dev/a\n")
        let yaml = try await k.ok("get", "widget", "a", "-n", ns, "-o", "yaml")
        #expect(yaml.contains("kind: Widget"))
        #expect(yaml.contains("size: small"))
        #expect(yaml.contains("resourceVersion:"))
        let json = try JSONValue(parsing: try await k.ok("get", "widget", "a", "-n", ns, "-o", "json"))
        #expect(json[path: ["metadata", "generation"]] == 1)
        #expect(try await k.ok("get", "all", "-n", ns).contains("widget.test.fledge.dev/a"))
    }

    @Test func defaultValidationRejectsUnknownAndInvalidFields() async throws {
        let (_, k, ns) = try await setUp("validation")
        try await ensureCRD(k)
        let unknown = try await k.run("apply", "-n", ns, "-f", "-", stdin: """
            {"apiVersion": "test.fledge.dev/v1", "kind": "Widget", "metadata": {"name": "bad"}, "spec": {"size": "small", "foo": 1}}
            """)
        #expect(unknown.code != 0)
        #expect(unknown.err.contains("strict decoding error: unknown field \"spec.foo\""))
        let invalid = try await k.run("apply", "-n", ns, "-f", "-", stdin: """
            {"apiVersion": "test.fledge.dev/v1", "kind": "Widget", "metadata": {"name": "bad"}, "spec": {"size": "small", "replicas": -1}}
            """)
        #expect(invalid.code != 0)
        #expect(invalid.err.contains("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"))
        let builtin = try await k.run("create", "-n", ns, "-f", "-", stdin: """
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}, "bogus": true}
            """)
        #expect(builtin.code != 0)
        #expect(builtin.err.contains("unknown field \"bogus\""))
        try await k.ok("create", "configmap", "good", "-n", ns, "--from-literal=a=b")
    }

    @Test func patchTypes() async throws {
        let (_, k, ns) = try await setUp("patch")
        try await ensureCRD(k)
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("widget-a.json"))
        try await k.ok("patch", "widget", "a", "-n", ns, "--type", "merge", "-p", #"{"spec":{"replicas":3}}"#)
        try await k.ok("patch", "widget", "a", "-n", ns, "--type", "json", "-p", #"[{"op":"test","path":"/spec/replicas","value":3},{"op":"replace","path":"/spec/size","value":"large"}]"#)
        let w = try JSONValue(parsing: try await k.ok("get", "widget", "a", "-n", ns, "-o", "json"))
        #expect(w[path: ["spec", "replicas"]] == 3)
        #expect(w[path: ["spec", "size"]] == "large")
        #expect(w[path: ["metadata", "generation"]] == 3)
        let smpOnCRD = try await k.run("patch", "widget", "a", "-n", ns, "--type", "strategic", "-p", #"{"spec":{"replicas":1}}"#)
        #expect(smpOnCRD.code != 0)
        #expect(smpOnCRD.err.contains("application/strategic-merge-patch+json is not supported"))
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("deployment.json"))
        try await k.ok("patch", "deployment", "web", "-n", ns, "--type", "strategic", "-p",
                       #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}"#)
        let d = try JSONValue(parsing: try await k.ok("get", "deployment", "web", "-n", ns, "-o", "json"))
        let containers = d[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] == "nginx:1.28")
        #expect(containers.first?["env"] == [["name": "MODE", "value": "blue"]])
    }

    @Test func serverSideApply() async throws {
        let (_, k, ns) = try await setUp("ssa")
        try await ensureCRD(k)
        #expect(try await k.ok("apply", "--server-side", "-n", ns, "-f", Fixtures.path("widget-a.json")) == "widget.test.fledge.dev/a serverside-applied\n")
        let again = try await k.ok("apply", "--server-side", "-n", ns, "-f", "-", stdin: """
            {"apiVersion": "test.fledge.dev/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"size": "medium"}}
            """)
        #expect(again.contains("serverside-applied"))
        let w = try JSONValue(parsing: try await k.ok("get", "widget", "a", "-n", ns, "-o", "json", "--show-managed-fields"))
        #expect(w[path: ["spec", "size"]] == "medium")
        #expect(w[path: ["spec", "replicas"]] == nil)
        let managers = w[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        #expect(managers.contains { $0["manager"] == "kubectl" && $0["operation"] == "Apply" })
    }

    @Test func watchPrintsChanges() async throws {
        let (_, k, ns) = try await setUp("watch")
        try await k.ok("create", "configmap", "first", "-n", ns, "--from-literal=a=b")
        let watch = try k.start(["get", "configmaps", "-n", ns, "-w"])
        defer { watch.stop() }
        try await watch.waitForOutput { $0.contains("first") }
        try await k.ok("create", "configmap", "second", "-n", ns, "--from-literal=a=b")
        try await watch.waitForOutput { $0.contains("second") }
        let lines = watch.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NAME") == true)
        #expect(lines.filter { $0.hasPrefix("NAME") }.count == 1)
    }

    @Test func deploymentRolloutScaleAndWait() async throws {
        let (_, k, ns) = try await setUp("rollout")
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("deployment.json"))
        let status = try await k.ok("rollout", "status", "deployment/web", "-n", ns, "--timeout=30s")
        #expect(status.contains("successfully rolled out"))
        try await k.ok("wait", "--for=condition=Available", "deployment/web", "-n", ns, "--timeout=30s")
        let pods = try await k.ok("get", "pods", "-n", ns, "-l", "app=web", "-o", "name")
        #expect(pods.split(separator: "\n").count == 2)
        #expect(try await k.ok("scale", "deployment/web", "-n", ns, "--replicas=3").contains("scaled"))
        try await k.ok("rollout", "status", "deployment/web", "-n", ns, "--timeout=30s")
        let table = try await k.ok("get", "deployment", "web", "-n", ns)
        #expect(table.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        #expect(table.contains("3/3"))
        // kubectl's typed generators send protobuf bodies.
        try await k.ok("create", "deployment", "typed", "-n", ns, "--image=nginx:1.2", "--replicas=1", "--port=8080")
        try await k.ok("rollout", "status", "deployment/typed", "-n", ns, "--timeout=30s")
        let typed = try JSONValue(parsing: try await k.ok("get", "deployment", "typed", "-n", ns, "-o", "json"))
        #expect(typed[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "nginx:1.2")
        #expect(typed[path: ["spec", "selector", "matchLabels"]] == ["app": "typed"])
        try await k.ok("create", "secret", "generic", "s", "-n", ns, "--from-literal=user=admin")
        #expect(try await k.ok("get", "secret", "s", "-n", ns, "-o", "jsonpath={.data.user}") == Data("admin".utf8).base64EncodedString())
        try await ensureCRD(k)
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("widget-a.json"))
        #expect(try await k.ok("scale", "widget/a", "-n", ns, "--replicas=4").contains("scaled"))
        try await k.ok("wait", "--for=jsonpath={.spec.replicas}=4", "widget/a", "-n", ns, "--timeout=10s")
    }

    @Test func typedGeneratorsAndBuiltinTables() async throws {
        let (_, k, ns) = try await setUp("typed")
        try await k.ok("create", "service", "nodeport", "np", "-n", ns, "--tcp=80:8080", "--node-port=30080")
        let svc = try await k.ok("get", "service", "np", "-n", ns)
        #expect(svc.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
        #expect(svc.contains("80:30080/TCP"))
        try await k.ok("create", "role", "r", "-n", ns, "--verb=get", "--resource=pods")
        #expect(try await k.ok("get", "role", "r", "-n", ns, "-o", "jsonpath={.rules}") == #"[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]"#)
        try await k.ok("create", "clusterrolebinding", "crb-\(ns)", "--clusterrole=view", "--serviceaccount=\(ns):bot")
        let crb = try JSONValue(parsing: try await k.ok("get", "clusterrolebinding", "crb-\(ns)", "-o", "json"))
        #expect(crb["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"])
        #expect(crb["subjects"] == [["kind": "ServiceAccount", "name": "bot", "namespace": .string(ns)]])
        try await k.ok("create", "-n", ns, "-f", "-", stdin: #"{"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1"}, "involvedObject": {"kind": "Deployment", "name": "web"}, "reason": "ScalingReplicaSet", "message": "Scaled up", "type": "Normal", "count": 1}"#)
        let events = try await k.ok("get", "events", "-n", ns)
        #expect(events.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        #expect(events.contains("deployment/web"))
        #expect(try await k.ok("auth", "can-i", "create", "deployments", "-n", ns) == "yes\n")
        let crds = try await k.ok("get", "crd")
        #expect(crds.hasPrefix("NAME") && crds.contains("CREATED AT"))
    }

    @Test func deleteCascades() async throws {
        let (_, k, ns) = try await setUp("cascade")
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("deployment.json"))
        try await k.ok("rollout", "status", "deployment/web", "-n", ns, "--timeout=30s")
        // Orphan: the ReplicaSet and Pods stay.
        try await k.ok("delete", "deployment", "web", "-n", ns, "--cascade=orphan")
        #expect(try await k.ok("get", "replicasets", "-n", ns, "-o", "name").split(separator: "\n").count == 1)
        #expect(try await k.ok("get", "pods", "-n", ns, "-o", "name").split(separator: "\n").count == 2)
        // Foreground on the orphaned ReplicaSet: its Pods go first, then it.
        try await k.ok("delete", "replicasets", "--all", "-n", ns, "--cascade=foreground", "--wait=true")
        try await TestClient.eventually(20, "pods gone") { try await k.ok("get", "pods", "-n", ns, "-o", "name").isEmpty }
        // Background (the default).
        try await k.ok("apply", "-n", ns, "-f", Fixtures.path("deployment.json"))
        try await k.ok("rollout", "status", "deployment/web", "-n", ns, "--timeout=30s")
        try await k.ok("delete", "deployment", "web", "-n", ns)
        try await TestClient.eventually(20, "replicasets and pods gone") {
            try await k.ok("get", "replicasets,pods", "-n", ns, "-o", "name").isEmpty
        }
    }

    @Test func tlsWithClientCertificateTokenAndNeither() async throws {
        var config = EmulatorConfiguration()
        config.tls = true
        config.bearerToken = "s3cret-token"
        let emulator = try await KubeEmulator.start(config)
        defer { Task { await emulator.shutdown() } }
        let k = try Kubectl.make(for: emulator, name: "tls")
        #expect(emulator.url.scheme == "https")
        #expect(try await k.ok("get", "namespaces", "-o", "name").contains("namespace/default"))
        #expect(try await k.ok("auth", "whoami").contains("fledge-admin"))
        // Token only: a kubeconfig with the CA but no client certificate.
        let ca = Data(emulator.certificates!.caCertificatePEM.utf8).base64EncodedString()
        let tokenConfig = """
            apiVersion: v1
            kind: Config
            clusters: [{name: e, cluster: {server: "\(emulator.url.absoluteString)", certificate-authority-data: \(ca)}}]
            users: [{name: t, user: {token: s3cret-token}}, {name: none, user: {}}, {name: wrong, user: {token: nope}}]
            contexts: [{name: t, context: {cluster: e, user: t}}, {name: none, context: {cluster: e, user: none}}, {name: wrong, context: {cluster: e, user: wrong}}]
            current-context: t
            """
        try tokenConfig.write(toFile: k.home + "/token-config", atomically: true, encoding: .utf8)
        #expect(try await k.ok("--kubeconfig", k.home + "/token-config", "get", "namespace", "default", "-o", "name") == "namespace/default\n")
        let wrong = try await k.run("--kubeconfig", k.home + "/token-config", "--context", "wrong", "get", "namespaces")
        #expect(wrong.code != 0)
        #expect(wrong.err.contains("Unauthorized") || wrong.err.contains("You must be logged in"), "\(wrong.err)")
        // No credentials at all: kubectl answers the 401 by asking for a username (stdin is empty here).
        let none = try await k.run("--kubeconfig", k.home + "/token-config", "--context", "none", "get", "namespaces")
        #expect(none.code != 0)
        // The same over plain HTTPS: 401 with a Status body without credentials, 200 with the token.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(emulator.certificates!.caCertificatePEM.utf8), format: .pem)])
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        let client = TestClient(base: emulator.url.absoluteString, http: http)
        let denied = try await client.get("/api/v1/namespaces")
        #expect(denied.status == 401)
        #expect(denied.body["reason"] == "Unauthorized")
        #expect(denied.body["kind"] == "Status")
        let allowed = try await client.send(.GET, "/api/v1/namespaces", headers: [("Authorization", "Bearer s3cret-token")])
        #expect(allowed.status == 200)
        try await http.shutdown()
    }
}
