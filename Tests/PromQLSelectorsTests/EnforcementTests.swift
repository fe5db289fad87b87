import Testing

@testable import PromQLSelectors

@Suite("Enforcing matchers")
struct EnforcementTests {
    @Test(arguments: [
        ("up", #"up{namespace="team-a"}"#),
        ("up{}", #"up{namespace="team-a"}"#),
        ("up{ }", #"up{namespace="team-a" }"#),
        (#"up{job="a"}"#, #"up{job="a", namespace="team-a"}"#),
        (#"up{job="a",}"#, #"up{job="a", namespace="team-a",}"#),
        (#"up{job="a" }"#, #"up{job="a", namespace="team-a" }"#),
        (#"up {job="a"}"#, #"up {job="a", namespace="team-a"}"#),
        (#"{__name__=~".+"}"#, #"{__name__=~".+", namespace="team-a"}"#),
        (#"{__name__="up"}"#, #"{__name__="up", namespace="team-a"}"#),
    ])
    func selectorForms(query: String, expected: String) throws {
        #expect(try confine(query) == expected)
    }

    @Test(arguments: [
        ("x offset 5m", #"x{namespace="team-a"} offset 5m"#),
        ("x offset -5m", #"x{namespace="team-a"} offset -5m"#),
        ("rate(x[5m] @ end())", #"rate(x{namespace="team-a"}[5m] @ end())"#),
        ("x @ 1609746000", #"x{namespace="team-a"} @ 1609746000"#),
        ("x @ start() offset 1h", #"x{namespace="team-a"} @ start() offset 1h"#),
        ("max_over_time(rate(x[1m])[10m:30s])", #"max_over_time(rate(x{namespace="team-a"}[1m])[10m:30s])"#),
        ("x[5m:]", #"x{namespace="team-a"}[5m:]"#),
    ])
    func modifiers(query: String, expected: String) throws {
        #expect(try confine(query) == expected)
    }

    @Test func fledgeHistogramQuery() throws {
        let query = #"sum by (le) (increase(http_server_request_duration_seconds_bucket{service_name="checkout",deployment_track="canary"}[65000ms]))"#
        let expected = #"sum by (le) (increase(http_server_request_duration_seconds_bucket{service_name="checkout",deployment_track="canary", namespace="team-a"}[65000ms]))"#
        #expect(try confine(query) == expected)
    }

    @Test func fledgeRatioQuery() throws {
        #expect(
            try confine(#"sum(rate(x_total{a="b"}[5m])) / sum(rate(y_total[5m]))"#)
                == #"sum(rate(x_total{a="b", namespace="team-a"}[5m])) / sum(rate(y_total{namespace="team-a"}[5m]))"#)
    }

    @Test func nestedAggregationWithVectorMatching() throws {
        let query = "sum by (pod) (rate(a[5m])) * on(pod) group_left(node) max by (pod, node) (kube_pod_info) / on() group_left b"
        #expect(
            try confine(query)
                == #"sum by (pod) (rate(a{namespace="team-a"}[5m])) * on(pod) group_left(node) max by (pod, node) (kube_pod_info{namespace="team-a"}) / on() group_left b{namespace="team-a"}"#
        )
    }

    @Test func aggregationsAndFunctions() throws {
        #expect(try confine("topk(3, x)") == #"topk(3, x{namespace="team-a"})"#)
        #expect(try confine(#"count_values("label", x)"#) == #"count_values("label", x{namespace="team-a"})"#)
        #expect(try confine("quantile(0.9, x) by (job)") == #"quantile(0.9, x{namespace="team-a"}) by (job)"#)
        #expect(
            try confine(#"label_replace(x, "dst", "$1", "src", "(.*)")"#)
                == #"label_replace(x{namespace="team-a"}, "dst", "$1", "src", "(.*)")"#)
        #expect(try confine(#"absent(nonexistent{job="a"})"#) == #"absent(nonexistent{job="a", namespace="team-a"})"#)
        #expect(
            try confine("histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))")
                == #"histogram_quantile(0.99, sum by (le) (rate(x_bucket{namespace="team-a"}[5m])))"#)
    }

    @Test func namesAndNumbers() throws {
        #expect(try confine("job:http_requests:rate5m") == #"job:http_requests:rate5m{namespace="team-a"}"#)
        #expect(
            try confine("bool_thing > bool offset_seconds")
                == #"bool_thing{namespace="team-a"} > bool offset_seconds{namespace="team-a"}"#)
        #expect(try confine("0x1f * x + 1e-3 - Inf") == #"0x1f * x{namespace="team-a"} + 1e-3 - Inf"#)
    }

    @Test func queriesWithoutSelectorsAreUnchanged() throws {
        for query in ["vector(1)", "scalar(1)", "1+1", "time()", "-Inf # comment", "  NaN\n"] {
            #expect(try confine(query) == query)
        }
    }

    @Test func textOutsideSelectorsIsKept() throws {
        #expect(try confine(#"x{a="}"}"#) == #"x{a="}", namespace="team-a"}"#)
        #expect(try confine(##"x{a="#"} + y"##) == ##"x{a="#", namespace="team-a"} + y{namespace="team-a"}"##)
        #expect(
            try confine("x # {namespace=\"other\"}\n  + y") == "x{namespace=\"team-a\"} # {namespace=\"other\"}\n  + y{namespace=\"team-a\"}")
        #expect(try confine("x # c\n{a=\"b\"}") == "x # c\n{a=\"b\", namespace=\"team-a\"}")
        #expect(
            try confine(#"label_replace(x, "é", "$1", "src", "(.*)") + y"#)
                == #"label_replace(x{namespace="team-a"}, "é", "$1", "src", "(.*)") + y{namespace="team-a"}"#)
    }

    @Test func sameValueIsKeptNotDuplicated() throws {
        for query in [
            #"x{namespace="team-a"}"#, #"x{namespace='team-a'}"#, "x{namespace=`team-a`}", #"x{namespace="te\u0061m-a"}"#,
            #"x{namespace="\x74eam-a"}"#, #"{namespace="team-a",namespace="team-a"}"#,
        ] {
            #expect(try confine(query) == query)
        }
        #expect(try confine(#"x{namespace="team-a"} / y"#) == #"x{namespace="team-a"} / y{namespace="team-a"}"#)
    }

    @Test func severalEnforcedLabels() throws {
        let enforced: [LabelMatcher] = [.equal("namespace", "team-a"), .equal("cluster", "eu-1"), .equal("namespace", "team-a")]
        #expect(try confine("x", to: enforced) == #"x{namespace="team-a", cluster="eu-1"}"#)
        #expect(try confine(#"x{cluster="eu-1"}"#, to: enforced) == #"x{cluster="eu-1", namespace="team-a"}"#)
        #expect(try confine(#"x{cluster="eu-1", namespace="team-a"}"#, to: enforced) == #"x{cluster="eu-1", namespace="team-a"}"#)
    }

    @Test func enforcedValueIsEscaped() throws {
        let enforced: [LabelMatcher] = [.equal("tenant", "a\"b\\c\nd\te\u{1}")]
        let query = try confine("x", to: enforced)
        #expect(query == #"x{tenant="a\"b\\c\nd\te\u0001"}"#)
        #expect(try PromQLSelectors.selectors(in: query).first?.matchers == enforced)
    }

    @Test func enforcementIsIdempotent() throws {
        let once = try confine(#"sum(rate(x{a="b"}[5m])) by (a) / on(a) group_left y"#)
        #expect(try confine(once) == once)
    }
}
