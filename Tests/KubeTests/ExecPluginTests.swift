import Foundation
import Testing
@testable import Kube

@Suite struct ExecPluginTests {
    /// A plugin that counts its runs, checks its environment, and prints a token that expires at $EXPIRY.
    func writePlugin(in dir: TempDirectory) throws {
        try dir.write("bin/plugin.sh", """
        #!/bin/sh
        echo run >> "$COUNT_FILE"
        case "$KUBERNETES_EXEC_INFO" in
          *'"interactive":false'*) ;;
          *) echo "bad exec info: $KUBERNETES_EXEC_INFO" >&2; exit 3 ;;
        esac
        echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"tok-$1-$GREETING\\",\\"expirationTimestamp\\":\\"$EXPIRY\\"}}"
        """, executable: true)
    }

    func kubeconfig(_ dir: TempDirectory) throws -> String {
        try dir.write("config", """
        current-context: x
        clusters:
        - name: c
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: u
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: bin/plugin.sh
              args: [arg1]
              env:
              - {name: GREETING, value: hello}
              provideClusterInfo: true
        contexts:
        - name: x
          context: {cluster: c, user: u}
        """)
    }

    @Test func runsPluginRelativeToKubeconfigAndCachesUntilExpiry() async throws {
        let dir = try TempDirectory()
        try writePlugin(in: dir)
        let config = try Kubeconfig.load(path: try kubeconfig(dir), environment: [:])
        guard case .exec(let exec, let server) = config.authentication else {
            Issue.record("expected exec, got \(config.authentication)")
            return
        }
        #expect(exec.command == dir.file("bin/plugin.sh"))
        #expect(server == "https://127.0.0.1:1")

        let clock = TestClock()
        let expiry = clock.now.addingTimeInterval(600)
        let formatter = ISO8601DateFormatter()
        let env = ["COUNT_FILE": dir.file("count"), "EXPIRY": formatter.string(from: expiry), "PATH": "/usr/bin:/bin"]
        let provider = CredentialProvider(config.authentication, environment: env, now: { clock.now })
        #expect(try await provider.credentials().authorization?.value == "Bearer tok-arg1-hello")
        _ = try await provider.credentials()
        clock.advance(300)
        _ = try await provider.credentials()
        #expect(await provider.execRuns == 1, "cached until expiry")
        clock.advance(301)
        _ = try await provider.credentials()
        #expect(await provider.execRuns == 2, "ran again after expiry")
        await provider.invalidate()
        _ = try await provider.credentials()
        #expect(await provider.execRuns == 3, "ran again after invalidate")
        let runs = try String(contentsOfFile: dir.file("count"), encoding: .utf8).split(separator: "\n").count
        #expect(runs == 3)
    }

    @Test func execInfoCarriesClusterWhenAsked() {
        let plugin = ExecCredentialPlugin(config: ExecConfig(command: "x", provideClusterInfo: true), clusterServer: "https://s")
        #expect(plugin.execInfo["spec"]?["cluster"]?["server"] == "https://s")
        #expect(plugin.execInfo["spec"]?["interactive"] == false)
        #expect(plugin.execInfo["kind"] == "ExecCredential")
    }

    @Test func parsesClientCertificateOutputAndRejectsGarbage() throws {
        let ok = Data(#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":"CERT","clientKeyData":"KEY","expirationTimestamp":"2030-01-01T00:00:00.5Z"}}"#.utf8)
        let out = try ExecCredentialPlugin.parse(ok, command: "p")
        #expect(out.clientCertificatePEM == Array("CERT".utf8))
        #expect(out.clientKeyPEM == Secret("KEY"))
        #expect(out.expiration != nil)
        #expect(throws: KubeConfigError.self) { try ExecCredentialPlugin.parse(Data("secret-token-here".utf8), command: "p") }
        do {
            _ = try ExecCredentialPlugin.parse(Data(#"{"kind":"ExecCredential","status":{}}"#.utf8), command: "p")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("neither a token"))
        }
    }

    @Test func failingPluginReportsExitStatus() async throws {
        let dir = try TempDirectory()
        let script = try dir.write("fail.sh", "#!/bin/sh\necho nope >&2\nexit 7\n", executable: true)
        let provider = CredentialProvider(.exec(ExecConfig(command: script), clusterServer: "https://s"))
        await #expect(throws: KubeConfigError.self) { try await provider.credentials() }
        let missing = CredentialProvider(.exec(ExecConfig(command: "no-such-plugin-xyz", installHint: "install it"), clusterServer: "https://s"),
                                         environment: ["PATH": dir.path])
        do {
            _ = try await missing.credentials()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("install it"))
        }
    }
}
