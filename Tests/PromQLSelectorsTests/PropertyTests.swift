import Testing

@testable import PromQLSelectors

@Suite("Enforcement properties")
struct PropertyTests {
    static let queries = [
        "up",
        "up{}",
        #"up{job="api",}"#,
        #"{__name__=~"http_.*", job="x"}"#,
        #"sum by (le) (increase(http_server_request_duration_seconds_bucket{service_name="checkout",deployment_track="canary"}[65000ms]))"#,
        #"sum(rate(x_total{a="b"}[5m])) / sum(rate(y_total[5m]))"#,
        "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
        "max_over_time(rate(x[1m])[10m:30s]) > bool 0.5",
        "rate(x[5m] @ end()) + x offset -1h + y @ 1609746000",
        "sum by (pod) (rate(a[5m])) * on(pod) group_left(node) max by (pod, node) (kube_pod_info)",
        "a / ignoring(code) group_right b unless on() c",
        #"label_replace(x, "dst", "$1", "src", "(.*)") or absent(nonexistent{job="a"})"#,
        #"topk(3, x) and count_values("v", y) or quantile(0.9, z) by (job)"#,
        "job:http_requests:rate5m / bool_thing atan2 offset_seconds",
        "x # {namespace=\"other\"}\n  + {a=\"}#{\"} # trailing",
        #"x{namespace="team-a"} - y{namespace='te\u0061m-a', b=`c`}"#,
        #"sum(x{a="é"}) by (a) / scalar(sum(y))"#,
        "0x1f * x + 1e-3 - Inf + NaN",
        "x {\n  a=\"b\", # comment\n}",
        "(((x)))[5m:] + -y",
    ]

    @Test(arguments: queries)
    func everySelectorIsConfinedAndNothingElseChanges(query: String) throws {
        let enforced = try confine(query)
        let before = try PromQLSelectors.selectors(in: query)
        let after = try PromQLSelectors.selectors(in: enforced)
        #expect(!before.isEmpty)
        #expect(after.count == before.count)
        for (original, confined) in zip(before, after) {
            #expect(confined.metricName == original.metricName)
            #expect(confined.range == original.range)
            #expect(confined.matchers.filter { $0.name == "namespace" } == [.equal("namespace", "team-a")])
            let others = { (selector: VectorSelector) in selector.matchers.filter { $0.name != "namespace" } }
            #expect(others(confined) == others(original))
        }
        #expect(try confine(enforced) == enforced)
        #expect(try removingInsertions(from: enforced, of: query) == query)
    }

    @Test func queriesWithoutSelectorsNeedNoInsertion() throws {
        for query in ["vector(1)", "scalar(1)", "1+1", "time()"] {
            #expect(try PromQLSelectors.insertions(enforcing: teamA, in: SourceText(query)).isEmpty)
        }
    }

    /// `enforced` with the text enforcement inserted into `original` cut out again; each cut must be one of the
    /// three insertion shapes.
    private func removingInsertions(from enforced: String, of original: String) throws -> String {
        let insertions = try PromQLSelectors.insertions(enforcing: teamA, in: SourceText(original))
        let shapes = [#"{namespace="team-a"}"#, #"namespace="team-a""#, #", namespace="team-a""#]
        var bytes = Array(enforced.utf8)
        var shift = 0
        var cuts: [Range<Int>] = []
        for insertion in insertions {
            #expect(shapes.contains(insertion.text))
            let length = insertion.text.utf8.count
            let cut = insertion.offset + shift..<insertion.offset + shift + length
            #expect(Array(bytes[cut]) == Array(insertion.text.utf8))
            cuts.append(cut)
            shift += length
        }
        for cut in cuts.reversed() { bytes.removeSubrange(cut) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
