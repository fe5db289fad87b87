import ArgumentParser

/// `kubectl fledge promot web`: an unknown subcommand is named as one, with the closest commands, as kubectl says
/// it (`unknown command "promot" for "kubectl fledge"` … `Did you mean this?`), instead of ArgumentParser's
/// "2 unexpected arguments".
struct UnknownCommand: Error {
    var word: String
    var suggestions: [String]

    var message: String {
        var text = "Error: unknown command \"\(word)\" for \"kubectl fledge\""
        if !suggestions.isEmpty {
            text += "\n\nDid you mean this?\n" + suggestions.map { "\t\($0)\n" }.joined()
        }
        return text + "\nRun 'kubectl fledge --help' for the commands."
    }

    /// The first argument when it is neither a flag nor a command (or an alias) of `root`; nil otherwise.
    static func check(_ arguments: [String], root: any ParsableCommand.Type) -> UnknownCommand? {
        guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
        var names: [String] = []
        for command in root.configuration.subcommands {
            let c = command.configuration
            names.append(c.commandName ?? "\(command)".lowercased())
            names += c.aliases
        }
        if names.contains(word) || word == "help" { return nil }
        let close = names.filter { $0.hasPrefix(word) || word.hasPrefix($0) || distance(word, $0) <= max(1, $0.count / 3) }
        return UnknownCommand(word: word, suggestions: close)
    }

    /// Levenshtein distance between two short words.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let kept = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = kept
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
