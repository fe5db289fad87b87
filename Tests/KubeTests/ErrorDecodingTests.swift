import Foundation
import KubeJSON
import Testing
@testable import Kube

@Suite struct ErrorDecodingTests {
    func status(_ code: Int, _ reason: String, _ message: String = "m", details: JSONValue? = nil) -> Data {
        var s: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
                            "reason": .string(reason), "code": .number(Double(code))]
        if let details { s["details"] = details }
        return try! s.data()
    }

    @Test func notFound() {
        let e = KubeError.from(code: 404, body: status(404, "NotFound", #"deployments.apps "web" not found"#,
                                                      details: ["name": "web", "group": "apps", "kind": "deployments"]))
        guard case .notFound(let s) = e else { Issue.record("\(e)"); return }
        #expect(s.details?.name == "web")
        #expect(e.message == #"deployments.apps "web" not found"#)
        #expect(e.reason == "NotFound")
    }

    @Test func alreadyExistsAndConflictShareA409() {
        guard case .alreadyExists = KubeError.from(code: 409, body: status(409, "AlreadyExists")) else { Issue.record("AlreadyExists"); return }
        guard case .conflict = KubeError.from(code: 409, body: status(409, "Conflict")) else { Issue.record("Conflict"); return }
    }

    @Test func goneAndExpired() {
        guard case .gone = KubeError.from(code: 410, body: status(410, "Expired", "too old resource version")) else { Issue.record("410"); return }
        // A watch ERROR event arrives with HTTP 200 but its Status says 410.
        guard case .gone = KubeError.from(status: Status(message: "too old", reason: "Expired", code: 410)) else { Issue.record("event"); return }
    }

    @Test func invalidWithCauses() {
        let e = KubeError.from(code: 422, body: status(422, "Invalid", "Deployment.apps \"web\" is invalid", details: [
            "name": "web", "kind": "Deployment",
            "causes": [["reason": "FieldValueInvalid", "message": "must be greater than or equal to 0", "field": "spec.replicas"]],
        ]))
        guard case .invalid = e else { Issue.record("\(e)"); return }
        #expect(e.causes == [StatusCause(reason: "FieldValueInvalid", message: "must be greater than or equal to 0", field: "spec.replicas")])
        #expect(e.description.contains("spec.replicas: must be greater"))
    }

    @Test func forbiddenUnauthorizedBadRequest() {
        guard case .forbidden = KubeError.from(code: 403, body: status(403, "Forbidden")) else { Issue.record("403"); return }
        guard case .unauthorized = KubeError.from(code: 401, body: status(401, "Unauthorized")) else { Issue.record("401"); return }
        guard case .badRequest = KubeError.from(code: 400, body: status(400, "BadRequest")) else { Issue.record("400"); return }
        guard case .badRequest(let s) = KubeError.from(code: 415, body: status(415, "UnsupportedMediaType")) else { Issue.record("415"); return }
        #expect(s.code == 415)
    }

    @Test func tooManyRequestsPrefersRetryAfterHeader() {
        let body = status(429, "TooManyRequests", details: ["retryAfterSeconds": 7])
        guard case .tooManyRequests(_, let header) = KubeError.from(code: 429, headers: ["retry-after": "3"], body: body) else {
            Issue.record("429"); return
        }
        #expect(header == .seconds(3))
        guard case .tooManyRequests(_, let details) = KubeError.from(code: 429, body: body) else { Issue.record("429"); return }
        #expect(details == .seconds(7))
    }

    @Test func timeoutsAndServerErrors() {
        guard case .timeout = KubeError.from(code: 504, body: status(504, "Timeout")) else { Issue.record("504"); return }
        guard case .timeout = KubeError.from(code: 500, body: status(500, "ServerTimeout")) else { Issue.record("ServerTimeout"); return }
        guard case .serverError(500, let s) = KubeError.from(code: 500, body: status(500, "InternalError", "boom")) else {
            Issue.record("500"); return
        }
        #expect(s.message == "boom")
        guard case .serverError(503, _) = KubeError.from(code: 503, body: status(503, "ServiceUnavailable")) else { Issue.record("503"); return }
    }

    @Test func nonStatusBodiesStillGiveTypedErrors() {
        let e = KubeError.from(code: 404, body: Data("404 page not found\n".utf8))
        guard case .notFound(let s) = e else { Issue.record("\(e)"); return }
        #expect(s.message == "404 page not found")
        #expect(s.code == 404)
        guard case .serverError(502, let s2) = KubeError.from(code: 502, body: Data()) else { Issue.record("502"); return }
        #expect(s2.message == "Bad Gateway")
    }

    @Test func watchEventParsing() throws {
        let added = try WatchEvent<Deployment>.parse(Data(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"},"spec":{"replicas":2}}}"#.utf8))
        #expect(added.object?.metadata.name == "a")
        #expect(added.object?.spec?.replicas == 2)
        guard case .bookmark(let rv) = try WatchEvent<Deployment>.parse(
            Data(#"{"type":"BOOKMARK","object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"12"}}}"#.utf8))
        else { Issue.record("bookmark"); return }
        #expect(rv == "12")
        do {
            _ = try WatchEvent<Deployment>.parse(Data(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#.utf8))
            Issue.record("expected gone")
        } catch let e as KubeError {
            guard case .gone(let s) = e else { Issue.record("\(e)"); return }
            #expect(s.message == "too old resource version: 1 (5)")
        }
    }

    @Test func lineSplitterHandlesAnyChunking() throws {
        var s = LineSplitter()
        var lines: [Data] = []
        for chunk in ["{\"a\"", ":1}\n{\"b\":2}\r\n\n{\"c", "\":3}"] { lines += try s.append(Array(chunk.utf8)) }
        if let last = s.finish() { lines.append(last) }
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
        var small = LineSplitter(maxLineLength: 4)
        #expect(throws: LineSplitter.Failure.lineTooLong) { try small.append(Array("12345".utf8)) }
    }
}

@Suite struct RateLimiterTests {
    @Test func burstThenSteadyRate() {
        var bucket = TokenBucket(qps: 10, burst: 3)
        let t0 = Duration.seconds(100)
        #expect(bucket.reserve(at: t0) == .zero)
        #expect(bucket.reserve(at: t0) == .zero)
        #expect(bucket.reserve(at: t0) == .zero)
        #expect(bucket.reserve(at: t0) == .milliseconds(100), "fourth waits one token time")
        #expect(bucket.reserve(at: t0) == .milliseconds(200), "fifth queues behind it")
        // 0.5 s later: +5 tokens from -2 → 3 (capped at burst).
        #expect(bucket.reserve(at: t0 + .milliseconds(500)) == .zero)
        #expect(bucket.tokens == 2)
    }

    @Test func refillIsCappedAtBurstAndTimeNeverRunsBackwards() {
        var bucket = TokenBucket(qps: 1, burst: 2)
        #expect(bucket.reserve(at: .seconds(0)) == .zero)
        #expect(bucket.reserve(at: .seconds(1000)) == .zero)
        #expect(bucket.tokens == 1, "refilled to 2, not 1001")
        #expect(bucket.reserve(at: .seconds(999)) == .zero, "an earlier timestamp adds nothing")
        #expect(bucket.reserve(at: .seconds(999)) == .seconds(1))
    }

    @Test func zeroQPSDisablesLimiting() {
        var bucket = TokenBucket(qps: 0, burst: 1)
        for _ in 0..<100 { #expect(bucket.reserve(at: .zero) == .zero) }
    }
}
