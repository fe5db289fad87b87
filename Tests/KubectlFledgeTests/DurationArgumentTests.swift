import FledgeCLI
import Testing

@Suite("Duration argument")
struct DurationArgumentTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)), ("10m", .seconds(600)), ("1h", .seconds(3600)), ("1h30m", .seconds(5400)),
        ("250ms", .milliseconds(250)), ("1m30s", .seconds(90)), ("0s", .zero),
    ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(DurationArgument.parse(text) == expected)
        #expect(DurationArgument(argument: text)?.duration == expected)
    }

    @Test(arguments: ["", "10", "m", "1d", "-5s", "1.5m", "10 m", "s10", "1h30", "9999999999s"])
    func rejects(_ text: String) {
        #expect(DurationArgument.parse(text) == nil)
    }

    @Test func formatsTheWayItParses() {
        for text in ["30s", "10m", "1h", "1h30m", "250ms", "1m30s"] {
            #expect(DurationArgument(argument: text)?.description == text)
        }
    }
}
