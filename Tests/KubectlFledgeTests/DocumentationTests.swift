import Foundation
import Testing

/// The documentation's sample output is what the command prints. The table's exposure figures
/// depend on the analysis library's tuning, so only the plan, interval and verdict lines are compared.
@Suite("docs/replay-format.md")
struct DocumentationTests {
    @Test func humanSampleOutputMatchesTheWorkedExample() async throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/replay-format.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "### Human (default)"))
        let afterHeading = doc[section.upperBound...]
        let open = try #require(afterHeading.range(of: "```\n"))
        let close = try #require(afterHeading[open.upperBound...].range(of: "```\n"))
        let documented = afterHeading[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
        let result = await runPlugin(["analyze", "--replay", examplePath("worked.jsonl")])
        #expect(result.status == 0)
        func keyLines(_ lines: [String]) -> [String] {
            lines.filter { $0.hasPrefix("plan:") || $0.hasPrefix("interval ") || $0.hasPrefix("verdict:") || $0.hasPrefix("#  CHECK") }
        }
        #expect(keyLines(result.lines) == keyLines(documented))
        #expect(keyLines(documented).count == 5)
    }
}

@Suite("docs/plugin.md")
struct PluginDocumentationTests {
    @Test func documentsEveryCommand() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/plugin.md"), encoding: .utf8)
        for heading in ["### `get rollout NAME", "### `list rollouts", "### `promote NAME [--full]`, `abort NAME`, `retry NAME`",
                        "### `pause NAME`, `resume NAME`", "### `status NAME", "### `set image NAME CONTAINER=IMAGE…`, `undo NAME`", "### `analyze`", "### `version", "### `completion bash|zsh|fish`"] {
            #expect(doc.contains(heading), "missing \(heading)")
        }
        // The captured views are the view's real layout.
        for line in ["Steps", "Replicas", "History"] { #expect(doc.contains("\n\(line)\n")) }
        #expect(doc.contains("  ✗  1  analysis 15s  ← stopped here"))
    }
}
