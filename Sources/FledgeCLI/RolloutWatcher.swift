import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// `get rollout NAME --watch`: reads the Rollout when a watch on it reports a change and every `refresh` (for the
/// Deployments' replicas and the Events), and redraws the view when it differs. Keeps every analysis decision it
/// sees, since status holds only the latest.
struct RolloutWatcher {
    var reader: RolloutReader
    var name: String
    var output: OutputFormat?
    var console: Console
    var refresh: Duration
    var timeout: Duration?

    func run() async throws {
        var history = DecisionHistory()
        var screen = Screen(console: console)
        var lastPrintedVersion: String?
        // The first read must work: a wrong name or namespace ends the command.
        var snapshot = try await reader.snapshot(name)
        var problem: String?

        func show() throws {
            if let output {
                let version = snapshot.rollout.metadata.resourceVersion
                guard version != lastPrintedVersion else { return }
                lastPrintedVersion = version
                console.write(try ObjectPrinter.render(snapshot.json, as: output), .standardOutput)
                return
            }
            history.observe(events: snapshot.events, about: snapshot.rollout)
            history.observe(snapshot.rollout)
            var lines = RolloutView(rollout: snapshot.rollout, stable: snapshot.stable, canary: snapshot.canary,
                                    history: history.entries,
                                    width: console.outputIsTerminal ? console.terminalWidth() : nil,
                                    colour: console.usesColour).lines()
            if let problem { lines += ["", Style(enabled: console.usesColour).red("cannot refresh: \(problem) (retrying)")] }
            screen.draw(lines)
        }

        try show()
        let (ticks, tick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let client = reader.session.client
        let namespace = reader.namespace
        let name = self.name
        let refresh = self.refresh
        let timeout = self.timeout
        let startVersion = snapshot.rollout.metadata.resourceVersion
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A change of the Rollout: redraw at once.
            group.addTask {
                var version = startVersion
                while !Task.isCancelled {
                    let events = client.watch(Rollout.descriptor, namespace: namespace,
                                              options: WatchOptions(fieldSelector: "metadata.name=\(name)", resourceVersion: version),
                                              as: DynamicObject.self)
                    do {
                        for try await event in events {
                            if case .bookmark(let v) = event {
                                version = v
                                continue
                            }
                            if let v = event.object?.resourceVersion { version = v }
                            tick.yield()
                        }
                    } catch {
                        version = nil  // too old or dropped: start again from the current object
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            // The Deployments and Events: read again every `refresh`.
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: refresh)
                    tick.yield()
                }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    tick.finish()
                }
            }
            for await _ in ticks {
                do {
                    snapshot = try await reader.snapshot(name)
                    problem = nil
                } catch let error as CLIError {
                    problem = error.message
                }
                try show()
            }
            group.cancelAll()
        }
    }
}

/// Draws successive views: in place on a terminal (the cursor goes back to the first line of the previous view,
/// which is cleared to the end of the screen), else each new view after a blank line. An unchanged view is not
/// drawn again.
struct Screen {
    var console: Console
    private var previous: [String] = []

    init(console: Console) { self.console = console }

    mutating func draw(_ lines: [String]) {
        guard lines != previous else { return }
        if console.outputIsTerminal {
            var text = previous.isEmpty ? "" : "\u{1B}[\(previous.count)F\u{1B}[J"
            text += lines.joined(separator: "\n") + "\n"
            console.write(text, .standardOutput)
        } else {
            if !previous.isEmpty { console.print("") }
            console.write(lines.joined(separator: "\n") + "\n", .standardOutput)
        }
        previous = lines
    }
}
