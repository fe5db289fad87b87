import ArgumentParser

/// The root of the kubectl plugin: `kubectl fledge <subcommand>`.
///
/// Run it through ``execute(_:)`` rather than ArgumentParser's `main()`: it maps errors to
/// the plugin's exit statuses (0 for any verdict, 1 for bad input, 2 for usage errors) and writes
/// through ``Console/current``.
public struct FledgeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kubectl-fledge",
        abstract: "Inspect and drive Fledge progressive rollouts.",
        discussion: """
            Cluster flags (-n/--namespace, --context, --kubeconfig, and -A for list) work as in kubectl, before \
            or after the subcommand; KUBECONFIG is honoured.

            Exit status: 0 when the command ran (for analyze, whatever the verdict), 1 for a failure (bad input, \
            an API error, an action that does not apply), 2 for usage errors; status has its own (see its help).
            """,
        version: FledgeVersion.plugin,
        subcommands: [
            GetCommand.self, ListCommand.self, StatusCommand.self, PromoteCommand.self, AbortCommand.self, RetryCommand.self,
            SetCommand.self, UndoCommand.self,
            PauseCommand.self, ResumeCommand.self, AnalyzeCommand.self, VersionCommand.self, CompletionCommand.self,
        ]
    )

    public init() {}

    /// Parses `arguments` (without the program name), runs the chosen subcommand and returns the
    /// exit status. Help goes to standard output; errors go to standard error.
    public static func execute(_ arguments: [String]) async -> Int32 {
        let console = Console.current
        let hoisted = KubeOptions.hoistLeadingFlags(arguments)
        if let unknown = UnknownCommand.check(hoisted, root: Self.self) {
            console.printError(unknown.message)
            return 2
        }
        do {
            var command = try parseAsRoot(hoisted)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            console.printError("Error: \(error.message)")
            return error.exitStatus
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { console.print(message) }
                return 0
            }
            if !message.isEmpty { console.printError(message) }
            return code == .validationFailure ? 2 : 1
        }
    }
}
