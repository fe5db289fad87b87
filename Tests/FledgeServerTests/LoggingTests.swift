import FledgeServer
import Foundation
import Logging
import Synchronization
import Testing

/// Collects what a handler writes.
final class CapturedLines: Sendable {
    private let storage = Mutex<[String]>([])
    var sink: LogSink { LogSink { line in self.storage.withLock { $0.append(line) } } }
    var lines: [String] { storage.withLock { $0 } }
}

private struct BoomError: Error, CustomStringConvertible {
    var description: String { "boom: \"disk\" full" }
}

@Suite("Logging")
struct LoggingTests {
    /// 2025-01-02T03:04:05.678Z
    static let fixedTime: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_735_787_045.678) }

    func jsonLogger(_ captured: CapturedLines, provider: Logger.MetadataProvider? = nil) -> Logger {
        let handler = JSONLogHandler(
            label: "fledge.test", level: .trace, sink: captured.sink, metadataProvider: provider, now: Self.fixedTime
        )
        return Logger(label: "fledge.test", factory: { _ in handler })
    }

    @Test func jsonLineIsExact() {
        let captured = CapturedLines()
        let logger = jsonLogger(captured)
        logger.info("rollout promoted", metadata: ["rollout": "web", "weight": .stringConvertible(100)], source: "RolloutController")
        #expect(captured.lines == [
            #"{"time":"2025-01-02T03:04:05.678Z","level":"info","logger":"fledge.test","message":"rollout promoted","rollout":"web","weight":"100","source":"RolloutController"}"# + "\n",
        ])
    }

    @Test func jsonEscapesQuotesNewlinesAndControlCharactersAndKeepsUnicode() {
        let captured = CapturedLines()
        let logger = jsonLogger(captured)
        logger.warning(
            "line one\nline \"two\" \\ end",
            metadata: [
                "quote": "say \"hi\"\tnow\r\n",
                "ctl": "\u{01}\u{08}\u{0C}\u{1F}\u{7F}\u{2028}",
                "utf8": "é🚀",
            ],
            source: "Tests"
        )
        let expected = #"{"time":"2025-01-02T03:04:05.678Z","level":"warning","logger":"fledge.test","#
            + #""message":"line one\nline \"two\" \\ end","ctl":"\u0001\b\f\u001f\u007f\u2028","#
            + #""quote":"say \"hi\"\tnow\r\n","utf8":"é🚀","source":"Tests"}"# + "\n"
        #expect(captured.lines == [expected])
        #expect(captured.lines.first?.dropLast().contains("\n") == false)
    }

    @Test func jsonMetadataTypesMergingAndCollisions() throws {
        let captured = CapturedLines()
        var logger = jsonLogger(captured, provider: Logger.MetadataProvider { ["trace_id": "4bf92f35", "pod": "from-provider"] })
        logger[metadataKey: "pod"] = "fledge-0"
        logger[metadataKey: "rollout"] = "handler-value"
        logger.error(
            "analysis failed",
            error: BoomError(),
            metadata: [
                "rollout": "web",
                "count": .stringConvertible(3),
                "ok": .stringConvertible(true),
                "nested": .dictionary(["b": .array(["x", .stringConvertible(2.5)]), "a": "1", "empty": .dictionary([:])]),
                "list": .array([]),
                "level": "shadow",
                "message": "shadow message",
                "error": "shadow error",
            ],
            source: "Tests"
        )
        let expected = #"{"time":"2025-01-02T03:04:05.678Z","level":"error","logger":"fledge.test","#
            + #""message":"analysis failed","error":"boom: \"disk\" full","count":"3","metadata.error":"shadow error","#
            + #""metadata.level":"shadow","list":[],"metadata.message":"shadow message","#
            + #""nested":{"a":"1","b":["x","2.5"],"empty":{}},"ok":"true","pod":"from-provider","rollout":"web","#
            + #""trace_id":"4bf92f35","source":"Tests"}"# + "\n"
        #expect(captured.lines == [expected])

        // And it is valid JSON that a log pipeline can parse.
        let line = try #require(captured.lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["error"] as? String == #"boom: "disk" full"#)
        #expect((object["nested"] as? [String: Any])?["a"] as? String == "1")
    }

    @Test func errorKeyIsOrdinaryMetadataWithoutAnError() {
        let captured = CapturedLines()
        jsonLogger(captured).notice("retrying", metadata: ["error": "timeout"], source: "S")
        #expect(captured.lines == [
            #"{"time":"2025-01-02T03:04:05.678Z","level":"notice","logger":"fledge.test","message":"retrying","error":"timeout","source":"S"}"# + "\n",
        ])
    }

    @Test func levelFilteringIsTheLoggers() {
        let captured = CapturedLines()
        let handler = JSONLogHandler(label: "l", level: .warning, sink: captured.sink, now: Self.fixedTime)
        let logger = Logger(label: "l", factory: { _ in handler })
        logger.info("dropped")
        logger.debug("dropped")
        logger.warning("kept")
        #expect(captured.lines.count == 1)
        #expect(captured.lines.first?.contains(#""message":"kept""#) == true)
    }

    @Test(arguments: [
        (1_735_787_045.678, "2025-01-02T03:04:05.678Z"),
        (1_709_251_199.999, "2024-02-29T23:59:59.999Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-0.001, "1969-12-31T23:59:59.999Z"),
    ])
    func timestampsAreRFC3339UTCWithMilliseconds(seconds: Double, expected: String) {
        let captured = CapturedLines()
        let handler = JSONLogHandler(label: "l", sink: captured.sink, now: { Date(timeIntervalSince1970: seconds) })
        Logger(label: "l", factory: { _ in handler }).info("t", source: "S")
        #expect(captured.lines.first?.hasPrefix(#"{"time":"\#(expected)","#) == true)
    }

    @Test func textLineIsExact() {
        let captured = CapturedLines()
        let handler = TextLogHandler(label: "fledge.test", level: .trace, sink: captured.sink, now: Self.fixedTime)
        var logger = Logger(label: "fledge.test", factory: { _ in handler })
        logger[metadataKey: "pod"] = "fledge-0"
        logger.info(
            "rollout promoted",
            metadata: ["rollout": "web", "note": "two words", "empty": "", "nested": ["a": "1"], "weight": .stringConvertible(100)],
            source: "RolloutController"
        )
        logger.error("failed", error: BoomError(), source: "S")
        #expect(captured.lines == [
            #"2025-01-02T03:04:05.678Z info fledge.test: rollout promoted empty="" nested={"a":"1"} note="two words" pod=fledge-0 rollout=web weight=100 [RolloutController]"# + "\n",
            #"2025-01-02T03:04:05.678Z error fledge.test: failed error="boom: \"disk\" full" pod=fledge-0 [S]"# + "\n",
        ])
    }

    @Test func makeHandlerPicksTheFormat() {
        let captured = CapturedLines()
        #expect(LoggingBackend.makeHandler(label: "a", format: .json, sink: captured.sink) is JSONLogHandler)
        #expect(LoggingBackend.makeHandler(label: "a", format: .text, sink: captured.sink) is TextLogHandler)
        #expect(LoggingBackend.makeHandler(label: "a", level: .debug, sink: captured.sink).logLevel == .debug)
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "yaml") == nil)
    }
}
