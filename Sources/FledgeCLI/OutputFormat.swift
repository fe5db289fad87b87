import ArgumentParser

/// The `-o/--output` formats shared by the plugin's commands.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json
    case yaml
}
