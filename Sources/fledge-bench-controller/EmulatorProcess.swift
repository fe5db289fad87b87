import BenchSupport
import Foundation

/// `fledge-emulator` as a child process: started with a kubeconfig in a temporary directory, stopped with SIGTERM.
final class EmulatorProcess: @unchecked Sendable {
    let process: Process
    let url: URL
    let kubeconfigPath: String
    let arguments: [String]
    private let directory: String

    var pid: Int32 { process.processIdentifier }

    /// Starts the emulator and waits for its `listening on URL` line.
    static func start(executable: String, readyDelay: String) throws -> EmulatorProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchError("no fledge-emulator at \(executable); build it: swift build -c release --product fledge-emulator")
        }
        let directory = NSTemporaryDirectory() + "fledge-bench-controller-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let kubeconfig = directory + "/kubeconfig"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let arguments = ["--port", "0", "--kubeconfig-out", kubeconfig, "--deployment-ready-delay", readyDelay, "--no-pods"]
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        let errPath = directory + "/emulator.stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        // Read until the one line it prints once the kubeconfig is written.
        var buffer = Data()
        let handle = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(30)
        while !buffer.contains(10) {
            let chunk = handle.availableData
            if chunk.isEmpty {
                if !process.isRunning || Date() > deadline { throw BenchError("fledge-emulator exited before it listened") }
                continue
            }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard line.hasPrefix("listening on "), let url = URL(string: String(line.dropFirst("listening on ".count))) else {
            process.terminate()
            throw BenchError("unexpected first line from fledge-emulator: \(line)")
        }
        return EmulatorProcess(process: process, url: url, kubeconfigPath: kubeconfig, arguments: arguments, directory: directory)
    }

    private init(process: Process, url: URL, kubeconfigPath: String, arguments: [String], directory: String) {
        self.process = process
        self.url = url
        self.kubeconfigPath = kubeconfigPath
        self.arguments = arguments
        self.directory = directory
    }

    var residentBytes: Int? { ProcessStats.residentBytes(pid: String(pid)) }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A benchmark failure with a message.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
