import Foundation
import Testing

/// The documentation's sample output is what the command prints.
@Suite("docs/replay-format.md")
struct DocumentationTests {
    @Test func humanSampleOutputMatchesTheWorkedExample() async throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/replay-format.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "### Human (default)"))
        let afterHeading = doc[section.upperBound...]
        let open = try #require(afterHeading.range(of: "```\n"))
        let close = try #require(afterHeading[open.upperBound...].range(of: "```\n"))
        let documented = String(afterHeading[open.upperBound..<close.lowerBound])
        let result = await runPlugin(["analyze", "--replay", examplePath("worked.jsonl")])
        #expect(result.status == 0)
        #expect(result.stdout == documented)
    }
}
