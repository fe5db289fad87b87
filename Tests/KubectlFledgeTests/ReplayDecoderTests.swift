import CanaryAnalysis
import FledgeCLI
import Testing

@Suite("Replay decoder")
struct ReplayDecoderTests {
    static let good1 = Replay.baseline(0, stable: Replay.track(1000, 5, slow: 10))
    static let good2 = Replay.canary(1, stable: Replay.track(900, 4, slow: 9), canary: Replay.track(100, 1, slow: 1))

    @Test func decodesBaselineAndCanaryLinesWithLatencyAndRoutes() throws {
        let route = "{\"interval\":2,\"phase\":\"canary\",\"tracks\":{\"stable\":{\"requests\":10,\"errors\":0},\"canary\":{\"requests\":1,\"errors\":0}},\"routes\":{\"/a\":{\"stable\":{\"requests\":10,\"errors\":0},\"canary\":{\"requests\":1,\"errors\":0}}}}"
        let lines = try ReplayDecoder().decode([Self.good1, "", "   ", Self.good2, route].joined(separator: "\n") + "\n")
        #expect(lines.map(\.lineNumber) == [1, 4, 5])
        #expect(lines.map(\.phase) == [.baseline, .canary, .canary])
        #expect(lines[0].canary == nil)
        #expect(lines[0].stable.latency?.bounds.last == .infinity)
        #expect(lines[1].canary == TrackCounts(requests: 100, errors: 1, latency: lines[1].canary?.latency))
        #expect(lines[2].routes["/a"]?.canary?.requests == 1)
    }

    @Test func acceptsNumbersWrittenAsNumbersOrStrings() throws {
        let line = "{\"interval\":1,\"phase\":\"canary\",\"tracks\":{\"stable\":{\"requests\":10.0,\"errors\":1,\"latency\":{\"le\":[\"0.1\",1,\"+Inf\"],\"counts\":[5,9,10]}},\"canary\":{\"requests\":2,\"errors\":0,\"latency\":{\"le\":[0.1,\"1\",\"+Inf\"],\"counts\":[1,2,2]}}}}"
        let lines = try ReplayDecoder().decode(line)
        #expect(lines[0].stable.latency?.bounds == [0.1, 1, .infinity])
        #expect(lines[0].stable.requests == 10)
    }

    /// One bad line (line 3, after two good ones), and a phrase its error must contain.
    struct BadCase: CustomTestStringConvertible, Sendable {
        var name: String
        var line: String
        var phrase: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "malformed JSON", line: "{\"interval\":2,", phrase: "not valid JSON"),
        BadCase(name: "not an object", line: "[1,2]", phrase: "must be an object"),
        BadCase(name: "duplicate key", line: "{\"interval\":2,\"interval\":3,\"phase\":\"canary\",\"tracks\":{}}", phrase: "duplicate key \"interval\""),
        BadCase(name: "unknown top-level key",
                line: "{\"interval\":2,\"phase\":\"canary\",\"extra\":1,\"tracks\":{\"stable\":\(Replay.track(1, 0)),\"canary\":\(Replay.track(1, 0))}}",
                phrase: "unknown key \"extra\""),
        BadCase(name: "unknown key in a track",
                line: Replay.canary(2, stable: "{\"requests\":1,\"errors\":0,\"err\":0}", canary: Replay.track(1, 0)),
                phrase: "unknown key \"err\" in tracks.stable"),
        BadCase(name: "unknown track",
                line: "{\"interval\":2,\"phase\":\"canary\",\"tracks\":{\"stable\":\(Replay.track(1, 0)),\"canary\":\(Replay.track(1, 0)),\"preview\":\(Replay.track(1, 0))}}",
                phrase: "unknown key \"preview\" in tracks"),
        BadCase(name: "requests as a string", line: Replay.canary(2, stable: "{\"requests\":\"10\",\"errors\":0}", canary: Replay.track(1, 0)),
                phrase: "tracks.stable.requests must be a whole number, got a string"),
        BadCase(name: "errors as a boolean", line: Replay.canary(2, stable: Replay.track(1, 0), canary: "{\"requests\":1,\"errors\":true}"),
                phrase: "tracks.canary.errors must be a whole number, got a boolean"),
        BadCase(name: "fractional count", line: Replay.canary(2, stable: "{\"requests\":1.5,\"errors\":0}", canary: Replay.track(1, 0)),
                phrase: "must be a whole number, got 1.5"),
        BadCase(name: "interval as a string",
                line: "{\"interval\":\"2\",\"phase\":\"canary\",\"tracks\":{\"stable\":\(Replay.track(1, 0)),\"canary\":\(Replay.track(1, 0))}}",
                phrase: "interval must be a whole number"),
        BadCase(name: "unknown phase",
                line: "{\"interval\":2,\"phase\":\"warmup\",\"tracks\":{\"stable\":\(Replay.track(1, 0))}}",
                phrase: "phase must be \"baseline\" or \"canary\""),
        BadCase(name: "negative count", line: Replay.canary(2, stable: Replay.track(-5, 0), canary: Replay.track(1, 0)),
                phrase: "tracks.stable.requests is negative (-5)"),
        BadCase(name: "errors above requests", line: Replay.canary(2, stable: Replay.track(10, 0), canary: Replay.track(10, 11)),
                phrase: "tracks.canary: errors (11) exceed requests (10)"),
        BadCase(name: "buckets not ascending",
                line: Replay.canary(2, stable: "{\"requests\":10,\"errors\":0,\"latency\":{\"le\":[0.5,0.1,\"+Inf\"],\"counts\":[1,2,10]}}", canary: Replay.track(1, 0)),
                phrase: "buckets are not ascending (0.5 then 0.1)"),
        BadCase(name: "+Inf not last",
                line: Replay.canary(2, stable: "{\"requests\":10,\"errors\":0,\"latency\":{\"le\":[\"+Inf\",1],\"counts\":[10,10]}}", canary: Replay.track(1, 0)),
                phrase: "only the last bound may be +Inf"),
        BadCase(name: "counts falling",
                line: Replay.canary(2, stable: "{\"requests\":10,\"errors\":0,\"latency\":{\"le\":[0.1,0.5,\"+Inf\"],\"counts\":[5,3,10]}}", canary: Replay.track(1, 0)),
                phrase: "counts fall from 5 to 3"),
        BadCase(name: "+Inf count differs from requests",
                line: Replay.canary(2, stable: "{\"requests\":10,\"errors\":0,\"latency\":{\"le\":[0.1,0.5,\"+Inf\"],\"counts\":[5,8,9]}}", canary: Replay.track(1, 0)),
                phrase: "the +Inf count (9) differs from requests (10)"),
        BadCase(name: "le and counts of different lengths",
                line: Replay.canary(2, stable: "{\"requests\":10,\"errors\":0,\"latency\":{\"le\":[0.1,\"+Inf\"],\"counts\":[10]}}", canary: Replay.track(1, 0)),
                phrase: "2 bounds in le but 1 counts"),
        BadCase(name: "a baseline line after a canary line", line: Replay.baseline(3, stable: Replay.track(10, 0, slow: 1)),
                phrase: "a baseline line after a canary line (line 2)"),
        BadCase(name: "le differs between the tracks of a line",
                line: Replay.canary(2, stable: Replay.track(10, 0, slow: 1), canary: "{\"requests\":1,\"errors\":0,\"latency\":{\"le\":[0.1,\"+Inf\"],\"counts\":[1,1]}}"),
                phrase: "tracks.canary.latency.le [0.1, +Inf] differs from tracks.stable.latency.le"),
        BadCase(name: "latency on one track only",
                line: Replay.canary(2, stable: Replay.track(10, 0, slow: 1), canary: Replay.track(1, 0)),
                phrase: "tracks.stable has a latency histogram but tracks.canary has none"),
        BadCase(name: "le differs from an earlier line",
                line: Replay.canary(2, stable: "{\"requests\":1,\"errors\":0,\"latency\":{\"le\":[0.1,\"+Inf\"],\"counts\":[1,1]}}",
                                    canary: "{\"requests\":1,\"errors\":0,\"latency\":{\"le\":[0.1,\"+Inf\"],\"counts\":[1,1]}}"),
                phrase: "differ from line 1's"),
        BadCase(name: "missing tracks.stable",
                line: "{\"interval\":2,\"phase\":\"canary\",\"tracks\":{\"canary\":\(Replay.track(1, 0))}}",
                phrase: "missing tracks.stable"),
        BadCase(name: "missing tracks.canary on a canary line",
                line: "{\"interval\":2,\"phase\":\"canary\",\"tracks\":{\"stable\":\(Replay.track(1, 0))}}",
                phrase: "missing tracks.canary"),
        BadCase(name: "missing interval", line: "{\"phase\":\"canary\",\"tracks\":{\"stable\":\(Replay.track(1, 0)),\"canary\":\(Replay.track(1, 0))}}",
                phrase: "missing interval"),
        BadCase(name: "interval not increasing", line: Replay.canary(1, stable: Replay.track(10, 0, slow: 1), canary: Replay.track(1, 0, slow: 0)),
                phrase: "interval 1 does not follow interval 1 (line 2)"),
        BadCase(name: "route with a bad track",
                line: "{\"interval\":2,\"phase\":\"canary\",\"tracks\":{\"stable\":\(Replay.track(1, 0)),\"canary\":\(Replay.track(1, 0))},\"routes\":{\"/a\":{\"stable\":\(Replay.track(1, 2)),\"canary\":\(Replay.track(1, 0))}}}",
                phrase: "routes[\"/a\"].stable: errors (2) exceed requests (1)"),
    ]

    @Test(arguments: badCases)
    func rejectsBadLineNamingIt(_ bad: BadCase) {
        let text = [Self.good1, Self.good2, bad.line].joined(separator: "\n")
        #expect {
            try ReplayDecoder().decode(text)
        } throws: { error in
            let e = error as? ReplayError
            return e?.line == 3 && e?.description.hasPrefix("line 3: ") == true && e?.message.contains(bad.phrase) == true
        }
        do {
            _ = try ReplayDecoder().decode(text)
        } catch {
            #expect(error.message.contains(bad.phrase), "message was: \(error.description)")
        }
    }

    @Test func rejectsABaselineLineWithACanaryTrack() {
        let text = Replay.canary(0, stable: Replay.track(10, 0), canary: Replay.track(1, 0))
            .replacingOccurrences(of: "\"canary\",\"tracks\"", with: "\"baseline\",\"tracks\"")
        #expect(throws: ReplayError(line: 1, "a baseline line must not have a canary track (tracks.canary): baseline lines carry stable's traffic before the canary starts")) {
            try ReplayDecoder().decode(text)
        }
    }

    @Test func countsBlankLinesInLineNumbers() {
        let text = [Self.good1, "", Self.good2, "", "{oops"].joined(separator: "\n")
        #expect(throws: ReplayError.self) { try ReplayDecoder().decode(text) }
        do { _ = try ReplayDecoder().decode(text) } catch { #expect(error.line == 5) }
    }

    @Test func rejectsAFileWithoutCanaryLines() {
        #expect(throws: ReplayError(line: nil, "no canary lines: nothing to analyse")) {
            try ReplayDecoder().decode(Self.good1 + "\n")
        }
        #expect(throws: ReplayError(line: nil, "no canary lines: nothing to analyse")) {
            try ReplayDecoder().decode("")
        }
    }
}
