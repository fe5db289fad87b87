import ArgumentParser
import Foundation
import RolloutAPI

/// `kubectl fledge list rollouts`.
public struct ListCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List Rollouts.",
        subcommands: [ListRolloutsCommand.self]
    )

    public init() {}
}

/// `kubectl fledge list rollouts [-A] [-o json|yaml]`: one line per Rollout with phase, step, set/actual weight,
/// versions and age.
public struct ListRolloutsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rollouts",
        abstract: "One line per Rollout: phase, step, set/actual canary weight, stable and canary versions, age.",
        discussion: "Exit status: 0 success (also when there are none), 1 failure, 2 usage error.",
        aliases: ["rollout", "ro", "fro"]
    )

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List the Rollouts of every namespace.")
    public var allNamespaces = false

    @Option(name: [.short, .long], help: ArgumentHelp("Print the list as the API returns it: json or yaml.", valueName: "format"))
    public var output: OutputFormat?

    @OptionGroup(title: "Cluster")
    public var kube: KubeOptions

    public init() {}

    public func validate() throws {
        if allNamespaces, kube.namespace != nil { throw ValidationError("-A/--all-namespaces cannot be combined with -n/--namespace") }
    }

    public func run() async throws {
        let console = Console.current
        try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            let items = try await reader.rollouts(allNamespaces: allNamespaces)
            if let output {
                console.write(try ObjectPrinter.render(ObjectPrinter.list(items.map(\.0)), as: output), .standardOutput)
                return
            }
            if items.isEmpty {
                console.printError(allNamespaces ? "No rollouts found." : "No rollouts found in \(session.namespace) namespace.")
                return
            }
            let width = console.outputIsTerminal ? console.terminalWidth() : nil
            for line in RolloutListView(rollouts: items.map(\.1), showNamespace: allNamespaces, now: Date(), width: width).lines() {
                console.print(line)
            }
        }
    }
}
