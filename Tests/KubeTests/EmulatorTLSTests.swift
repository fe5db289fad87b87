import Foundation
import KubeEmulator
import KubeJSON
import Logging
import Testing
@testable import Kube

@Suite struct EmulatorTLSTests {
    @Test func clientCertificateFromKubeconfig() async throws {
        try await withEmulatorClient(tls: true) { emulator, client in
            #expect(emulator.url.scheme == "https")
            #expect(client.configuration.tls.clientCertificatePEM != nil)
            let created = try await client.create(Fixtures.deployment("web"))
            #expect(created.metadata.uid != nil)
            let rv = try #require(try await client.list(Deployment.self, namespace: "default").metadata.resourceVersion)
            _ = try await client.patch(Deployment.self, name: "web", .merge(["metadata": ["labels": ["tls": "yes"]]]))
            let event = try await withDeadline(15, "watch over TLS") { () async throws -> WatchEvent<Deployment>? in
                for try await e in client.watch(Deployment.self, namespace: "default",
                                                options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: false)) {
                    // The emulator's deployment controller also writes status; wait for our change.
                    if e.object?.metadata.labels?["tls"] != nil { return e }
                }
                return nil
            }
            #expect(event?.object?.metadata.labels?["tls"] == "yes")
        }
    }

    func tokenConfiguration(_ emulator: KubeEmulator, _ auth: Authentication, ca: Bool = true, insecure: Bool = false) -> ClientConfiguration {
        ClientConfiguration(server: emulator.url, tls: TLSSettings(
            certificateAuthorityPEM: ca ? Array(emulator.certificates!.caCertificatePEM.utf8) : nil, insecureSkipVerify: insecure),
                            authentication: auth, requestTimeout: .seconds(20))
    }

    @Test func bearerTokenAndNoCredentialLeaksInLogsOrErrors() async throws {
        try await withEmulatorClient(tls: true) { emulator, _ in
            let token = try #require(emulator.bearerToken)
            let logs = LogCollector()
            let client = try KubeClient(configuration: tokenConfiguration(emulator, .bearerToken(Secret(token))), logger: logs.logger)
            _ = try await client.create(Fixtures.service("web"))
            _ = try await client.get(Service.self, name: "web")
            await #expect(throws: KubeError.self) { try await client.get(Service.self, name: "missing") }
            try await client.shutdown()

            let wrong = "WRONG-\(token)"
            let badClient = try KubeClient(configuration: tokenConfiguration(emulator, .bearerToken(Secret(wrong))), logger: logs.logger)
            var errorText = ""
            do {
                _ = try await badClient.get(Service.self, name: "web")
                Issue.record("expected 401")
            } catch let e as KubeError {
                guard case .unauthorized = e else { Issue.record("\(e)"); return }
                errorText = "\(e) \(String(reflecting: e))"
            }
            try await badClient.shutdown()

            #expect(logs.all.count >= 4)
            let getLine = logs.all.first { $0.contains("/api/v1/namespaces/default/services/web") && $0.contains("200") }
            #expect(getLine?.contains("debug kube request") == true)
            for key in ["verb", "method", "path", "status", "durationMs"] {
                #expect(getLine?.contains(key) == true, "\(key) in \(getLine ?? "")")
            }
            for text in logs.all + [errorText, "\(badClient.configuration)", "\(client.configuration)"] {
                #expect(!text.contains(token), "credential leaked: \(text)")
            }
        }
    }

    @Test func insecureSkipVerifyAndMissingCA() async throws {
        try await withEmulatorClient(tls: true) { emulator, _ in
            let token = Secret(try #require(emulator.bearerToken))
            let insecure = try KubeClient(configuration: tokenConfiguration(emulator, .bearerToken(token), ca: false, insecure: true))
            _ = try await insecure.list(Namespace.self, namespace: nil)
            try await insecure.shutdown()

            let untrusted = try KubeClient(configuration: tokenConfiguration(emulator, .bearerToken(token), ca: false))
            do {
                _ = try await untrusted.list(Namespace.self, namespace: nil)
                Issue.record("expected a TLS failure")
            } catch let e as KubeError {
                guard case .transport = e else { Issue.record("\(e)"); return }
                #expect(!"\(e)".contains(token.value))
            }
            try await untrusted.shutdown()

            let anonymous = try KubeClient(configuration: tokenConfiguration(emulator, .none))
            await #expect(throws: KubeError.self) { try await anonymous.list(Namespace.self, namespace: nil) }
            try await anonymous.shutdown()
        }
    }

    @Test func rotatedTokenFileIsPickedUpAfterA401() async throws {
        try await withEmulatorClient(tls: true) { emulator, _ in
            let token = try #require(emulator.bearerToken)
            let dir = try TempDirectory()
            let file = try dir.write("token", "stale-token\n")
            let client = try KubeClient(configuration: tokenConfiguration(emulator, .tokenFile(path: file, refreshInterval: .seconds(3600))))
            do {
                _ = try await client.list(Namespace.self, namespace: nil)
                Issue.record("expected 401 with the stale token")
            } catch let e as KubeError {
                guard case .unauthorized = e else { Issue.record("\(e)"); return }
            }
            try dir.write("token", token + "\n")
            // The cached stale token gets a 401, which drops the cache; the re-read token succeeds.
            _ = try await client.list(Namespace.self, namespace: nil)
            try await client.shutdown()
        }
    }

    @Test func execPluginTokenAgainstTheServer() async throws {
        try await withEmulatorClient(tls: true) { emulator, _ in
            let token = try #require(emulator.bearerToken)
            let dir = try TempDirectory()
            try dir.write("plugin.sh", """
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"\(token)"}}'
            """, executable: true)
            let ca = Data(emulator.certificates!.caCertificatePEM.utf8).base64EncodedString()
            let path = try dir.write("config", """
            apiVersion: v1
            kind: Config
            current-context: exec
            clusters:
            - name: emu
              cluster: {server: "\(emulator.url.absoluteString)", certificate-authority-data: \(ca)}
            users:
            - name: plugin
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh}
            contexts:
            - name: exec
              context: {cluster: emu, user: plugin, namespace: kube-system}
            """)
            let client = try KubeClient(configuration: try Kubeconfig.load(path: path, environment: [:]))
            let lease = try await client.create(Lease(metadata: ObjectMeta(name: "leader"), spec: LeaseSpec(holderIdentity: "me")))
            #expect(lease.metadata.namespace == "kube-system", "the context's namespace is the default")
            try await client.shutdown()
        }
    }

    @Test func execPluginClientCertificate() async throws {
        try await withEmulatorClient(tls: true) { emulator, _ in
            let certs = try #require(emulator.certificates)
            let dir = try TempDirectory()
            let credential: JSONValue = ["apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                                         "status": ["clientCertificateData": .string(certs.clientCertificatePEM),
                                                    "clientKeyData": .string(certs.clientKeyPEM)]]
            try dir.write("credential.json", credential.jsonString)
            let plugin = try dir.write("plugin.sh", "#!/bin/sh\ncat \"$(dirname \"$0\")/credential.json\"\n", executable: true)
            var config = tokenConfiguration(emulator, .exec(ExecConfig(command: plugin), clusterServer: emulator.url.absoluteString))
            config.namespace = "default"
            let client = try KubeClient(configuration: config)
            _ = try await client.list(Service.self, namespace: "default")
            try await client.shutdown()
        }
    }
}
