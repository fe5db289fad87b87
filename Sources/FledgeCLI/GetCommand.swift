import ArgumentParser
import Foundation
import Kube
import RolloutAPI

/// `kubectl fledge get rollout NAME`.
public struct GetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one Rollout.",
        subcommands: [GetRolloutCommand.self]
    )

    public init() {}
}

/// `kubectl fledge get rollout NAME [--watch] [-o json|yaml]`: the human view (steps, weights, versions, replicas,
/// the latest analysis with every check, the decision history), or the object as the API returns it.
public struct GetRolloutCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Show a Rollout: its steps, weights, versions, replicas, latest analysis and decision history.",
        discussion: """
            With --watch the view is redrawn in place whenever the Rollout or its Deployments change (on a \
            terminal; otherwise each new view is printed after a blank line), until interrupted or --timeout. \
            The controller keeps only the latest analysis in status: the history shows every decision the watch \
            saw, and the Events (AnalysisPassed, RolledBack, Promoted, …) for earlier ones.

            Exit status: 0 success, 1 failure (not found, forbidden, unreachable), 2 usage error.
            """,
        aliases: ["rollouts", "ro", "fro"]
    )

    @Argument(help: "The Rollout's name.")
    public var name: String

    @Flag(name: [.short, .long], help: "Keep watching; redraw on every change.")
    public var watch = false

    @Option(name: [.short, .long], help: ArgumentHelp("Print the object as the API returns it: json or yaml.", valueName: "format"))
    public var output: OutputFormat?

    @Option(help: ArgumentHelp("With --watch: stop after this long (e.g. 30s, 5m). Default: until interrupted.", valueName: "duration"))
    public var timeout: DurationArgument?

    @Option(help: ArgumentHelp("With --watch: how often the Deployments and Events are read again.", valueName: "duration"))
    public var refresh = DurationArgument(.seconds(1))

    @OptionGroup(title: "Cluster")
    public var kube: KubeOptions

    public init() {}

    public func validate() throws {
        if timeout != nil, !watch { throw ValidationError("--timeout needs --watch") }
        if refresh.duration <= .zero { throw ValidationError("--refresh must be positive") }
    }

    public func run() async throws {
        let console = Console.current
        try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            if watch {
                try await RolloutWatcher(reader: reader, name: name, output: output, console: console,
                                         refresh: refresh.duration, timeout: timeout?.duration).run()
                return
            }
            if let output {
                let (json, _) = try await reader.rollout(name)
                console.write(try ObjectPrinter.render(json, as: output), .standardOutput)
                return
            }
            let snapshot = try await reader.snapshot(name)
            var history = DecisionHistory()
            history.observe(events: snapshot.events, about: snapshot.rollout)
            history.observe(snapshot.rollout)
            let view = RolloutView(rollout: snapshot.rollout, stable: snapshot.stable, canary: snapshot.canary,
                                   history: history.entries, width: console.outputIsTerminal ? console.terminalWidth() : nil,
                                   colour: console.usesColour)
            for line in view.lines() { console.print(line) }
        }
    }
}
