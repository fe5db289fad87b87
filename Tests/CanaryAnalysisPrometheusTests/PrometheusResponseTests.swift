@testable import CanaryAnalysisPrometheus
import Foundation
import Testing

@Suite("Decoding Prometheus answers")
struct PrometheusResponseTests {
    func decode(_ status: Int, _ json: String) throws(PrometheusFailure) -> QueryResult {
        try PrometheusResponse.decode(status: status, body: Data(json.utf8))
    }

    func failure(_ status: Int, _ json: String) -> String? {
        do {
            _ = try decode(status, json)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func matrixWithRawSamples() throws {
        let result = try decode(200, #"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"m_count","deployment_track":"canary"},"values":[[1712000000.5,"3"],[1712000001.25,"7"]]}
            ]}}
            """#)
        #expect(result == .matrix([RawSeries(
            labels: ["__name__": "m_count", "deployment_track": "canary"],
            samples: [RawSample(timestampMs: 1_712_000_000_500, value: 3), RawSample(timestampMs: 1_712_000_001_250, value: 7)])]))
    }

    @Test func vectorScalarAndSpecialValues() throws {
        let vector = try decode(200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]},{"metric":{"a":"b"},"value":[1,"+Inf"]}]}}"#)
        guard case .vector(let series) = vector else { Issue.record("not a vector"); return }
        #expect(series.count == 2)
        #expect(series[0].samples[0].value.isNaN)
        #expect(series[1].samples[0].value == .infinity)
        #expect(try decode(200, #"{"status":"success","data":{"resultType":"scalar","result":[2,"-Inf"]}}"#)
            == .scalar(RawSample(timestampMs: 2000, value: -.infinity)))
        #expect(try decode(200, #"{"status":"success","data":{"resultType":"scalar","result":[2,"0.25"]}}"#)
            == .scalar(RawSample(timestampMs: 2000, value: 0.25)))
    }

    @Test func httpErrorNamesStatusAndPrometheusError() {
        let reason = failure(400, #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""}"#)
        #expect(reason == #"Prometheus answered HTTP 400 (bad_data: 1:5: parse error: unexpected "}")"#)
        #expect(failure(503, "") == "Prometheus answered HTTP 503")
    }

    /// The address may point at anything (a proxy, an internal service): its body never reaches status or Events.
    @Test func aBodyThatIsNotAPrometheusAnswerIsNeverShown() {
        let proxy = failure(502, "<html>Bad Gateway: secret-internal-host</html>")
        #expect(proxy == "Prometheus answered HTTP 502; the body (46 bytes) is not a Prometheus API answer and is not shown")
        let page = failure(200, "root:x:0:0:root:/root:/bin/bash")
        #expect(page == "Prometheus's answer is not the JSON of its query API (31 bytes, not shown)")
        #expect(!(proxy ?? "").contains("secret") && !(page ?? "").contains("root:x"))
    }

    @Test func aPrometheusErrorTextIsBoundedAndHasNoControlCharacters() throws {
        let long = String(repeating: "e", count: 5_000)
        let reason = try #require(failure(400, #"{"status":"error","errorType":"bad_data","error":"line1\nline2 "# + long + #""}"#))
        #expect(reason.count < 300, "\(reason.count) characters")
        #expect(!reason.contains("\n"))
        #expect(reason.hasPrefix("Prometheus answered HTTP 400 (bad_data: line1 line2 eee"))
        #expect(reason.hasSuffix("…)"))
    }

    @Test func statusErrorWithHTTP200() {
        #expect(failure(200, #"{"status":"error","errorType":"timeout","error":"query timed out"}"#)
            == "the query failed (status error): timeout: query timed out")
    }

    @Test func malformedAnswers() {
        #expect(failure(200, "not json")?.hasPrefix("Prometheus's answer is not the JSON of its query API") == true)
        #expect(failure(200, #"{"status":"success"}"#) == "Prometheus's answer has no data")
        #expect(failure(200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}"#)
            == #"malformed answer from Prometheus: sample value "x" is not a number"#)
        #expect(failure(200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}"#)?
            .hasPrefix("Prometheus's answer is not the JSON") == true)
        #expect(failure(200, #"{"status":"success","data":{"resultType":"histogram","result":[]}}"#)
            == #"malformed answer from Prometheus: unknown result type "histogram""#)
        #expect(failure(200, #"{"status":"success","data":{"resultType":"scalar","result":[]}}"#) != nil)
    }
}
