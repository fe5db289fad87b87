import Foundation
import KubeJSON
import Testing

/// The `fledge-emulator` executable: one `listening on URL` line after the kubeconfig is written, clean SIGTERM.
@Suite struct ExecutableTests {
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fledge-emulator").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Kubectl.repoRoot.appendingPathComponent(".build/debug/fledge-emulator").path
    }

    @Test func printsListeningLineWritesKubeconfigAndStopsOnSIGTERM() async throws {
        let path = Self.binary
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("fledge-emulator not built at \(path): run `swift build --build-tests` (or `swift build --product fledge-emulator`)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let outPath = dir + "/out"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--port", "0", "--kubeconfig-out", dir + "/kubeconfig", "--deployment-ready-delay", "100ms"]
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var output = ""
        try await TestClient.eventually(20, "listening line") {
            output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            return output.hasSuffix("\n")
        }
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1)
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("listening on http://127.0.0.1:"))
        let kubeconfig = try String(contentsOfFile: dir + "/kubeconfig", encoding: .utf8)
        let url = String(line.dropFirst("listening on ".count))
        #expect(kubeconfig.contains("server: \(url)"))
        let client = TestClient(base: url, http: TestClient.shared)
        #expect(try await client.get("/api/v1/namespaces/kube-system").status == 200)
        kill(p.processIdentifier, SIGTERM)
        try await TestClient.eventually(10, "exit after SIGTERM") { !p.isRunning }
        #expect(p.terminationStatus == 0)
    }
}
