import Testing

@testable import PromQLSelectors

@Suite("Finding selectors")
struct SelectorTests {
    @Test func bareMetricName() throws {
        let selectors = try PromQLSelectors.selectors(in: "up")
        #expect(
            selectors == [
                VectorSelector(
                    metricName: "up", matchers: [], sourceRange: 0..<2,
                    position: SourcePosition(offset: 0, line: 1, column: 1))
            ])
    }

    @Test func matchersWithEveryOperatorAndTrailingComma() throws {
        let selector = try #require(PromQLSelectors.selectors(in: #"metric{a="b", c!~"d", e!="f", g=~"h",}"#).first)
        #expect(selector.metricName == "metric")
        #expect(
            selector.matchers == [
                LabelMatcher(name: "a", op: .equal, value: "b"), LabelMatcher(name: "c", op: .regexNoMatch, value: "d"),
                LabelMatcher(name: "e", op: .notEqual, value: "f"), LabelMatcher(name: "g", op: .regexMatch, value: "h"),
            ])
        #expect(selector.sourceRange == 0..<38)
    }

    @Test func nameOnlyInMatchers() throws {
        let selectors = try PromQLSelectors.selectors(in: #"{__name__="metric"} + {__name__=~"http_.*", job="x"}"#)
        #expect(selectors.map(\.metricName) == [nil, nil])
        #expect(selectors[0].matchers == [.equal("__name__", "metric")])
        #expect(
            selectors[1].matchers == [
                LabelMatcher(name: "__name__", op: .regexMatch, value: "http_.*"), .equal("job", "x"),
            ])
        #expect(selectors[1].position.column == 23)
    }

    @Test func rangesAndSubqueries() throws {
        let selectors = try PromQLSelectors.selectors(
            in: "rate(a[5m]) + max_over_time(rate(b[1m])[10m:30s]) + c[1h:] + d[ 90s ] offset 1h")
        #expect(selectors.map(\.metricName) == ["a", "b", "c", "d"])
        #expect(selectors.map(\.range) == ["5m", "1m", nil, "90s"])
    }

    @Test func functionsAndAggregationsAreNotSelectors() throws {
        #expect(try selectorNames("sum by (job) (x)") == ["x"])
        #expect(try selectorNames("sum(x) by (job)") == ["x"])
        #expect(try selectorNames("avg without (instance, pod,) (x)") == ["x"])
        #expect(try selectorNames("topk(3, x) or bottomk(2, y)") == ["x", "y"])
        #expect(try selectorNames(#"count_values("label", x)"#) == ["x"])
        #expect(try selectorNames("quantile(0.9, x)") == ["x"])
        #expect(try selectorNames("histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))") == ["x_bucket"])
        #expect(try selectorNames(#"label_replace(x, "dst", "$1", "src", "(.*)")"#) == ["x"])
        #expect(try selectorNames(#"absent(nonexistent{job="a"})"#) == ["nonexistent"])
        #expect(try selectorNames("rate (x[5m])") == ["x"])
        #expect(try selectorNames("SUM BY (job) (x)") == ["x"])
    }

    @Test func binaryOperatorsAndVectorMatching() throws {
        #expect(try selectorNames("a * on() group_left b") == ["a", "b"])
        #expect(try selectorNames("a / ignoring(code) group_right(x, y) b") == ["a", "b"])
        #expect(try selectorNames("a > bool 5 and b unless on(l) c or d atan2 e") == ["a", "b", "c", "d", "e"])
        #expect(try selectorNames("a AND b Or c") == ["a", "b", "c"])
        #expect(try selectorNames("a == b != c <= d >= e < f > g ^ h % i") == ["a", "b", "c", "d", "e", "f", "g", "h", "i"])
        #expect(try selectorNames("-a + -(-b)") == ["a", "b"])
    }

    @Test func groupLeftLabelListIsNotAnOperand() throws {
        let query = "sum by (pod) (rate(a[5m])) * on(pod) group_left(node) max by (pod, node) (kube_pod_info)"
        #expect(try selectorNames(query) == ["a", "kube_pod_info"])
    }

    @Test func queriesWithoutSelectors() throws {
        for query in ["vector(1)", "scalar(1)", "1+1", "time()", "-Inf", "NaN", "inf + nan", #""a string""#] {
            #expect(try PromQLSelectors.selectors(in: query).isEmpty, "\(query)")
        }
    }

    @Test func numbersAreNotSelectors() throws {
        #expect(try selectorNames("0x1f + 0X1F * 1e-3 - .5 / 1E3 + 2.5e+2 + INF + x") == ["x"])
        #expect(try selectorNames("infinity + nano") == ["infinity", "nano"])
    }

    @Test func keywordLookingMetricNames() throws {
        #expect(try selectorNames("bool_thing > bool offset_seconds offset 5m") == ["bool_thing", "offset_seconds"])
        #expect(try selectorNames("by_pod + on_call + sum_total + group_leftover") == ["by_pod", "on_call", "sum_total", "group_leftover"])
        #expect(try selectorNames(#"sum{job="a"} + count"#) == ["sum", "count"])
        // Prometheus 2.42 reads these keywords as metric names where an operand is expected.
        #expect(try selectorNames("by + x and and or without - offset offset 5m unless start / END[5m:]") == ["by", "x", "and", "without", "offset", "start", "END"])
        #expect(try selectorNames("count(by) by (by)") == ["by"])
        #expect(try selectorNames("job:http_requests:rate5m / :leading_colon") == ["job:http_requests:rate5m", ":leading_colon"])
    }

    @Test func keywordsAsLabelNames() throws {
        let selectors = try PromQLSelectors.selectors(in: #"sum by (on, by, offset) (x{by="1", offset="2"})"#)
        #expect(selectors.first?.matchers.map(\.name) == ["by", "offset"])
    }

    @Test func atAndOffsetModifiers() throws {
        #expect(try selectorNames("x @ 1609746000 + y @ start() + rate(z[5m] @ end()) + w offset -5m @ -100") == ["x", "y", "z", "w"])
        #expect(try selectorNames("x offset 1h30m @ 100.5 + y @ 1 offset 1y2w3d4h5m6s7ms") == ["x", "y"])
    }

    @Test func stringsAndCommentsHideStructure() throws {
        let selectors = try PromQLSelectors.selectors(in: "x{a=\"}\", b='#{', c=`{\"`} # y{namespace=\"other\"}\n+ z")
        #expect(selectors.map(\.metricName) == ["x", "z"])
        #expect(selectors[0].matchers.map(\.value) == ["}", "#{", #"{""#])
        #expect(selectors[1].position == SourcePosition(offset: 50, line: 2, column: 3))
    }

    @Test func whitespaceAndCommentsBetweenNameAndBraces() throws {
        let selectors = try PromQLSelectors.selectors(in: "x # comment\n  {a=\"b\"}")
        #expect(selectors.count == 1)
        #expect(selectors[0].metricName == "x")
        #expect(selectors[0].matchers == [.equal("a", "b")])
        #expect(selectors[0].sourceRange == 0..<21)
    }

    @Test func positionsCountCharactersNotBytes() throws {
        let selectors = try PromQLSelectors.selectors(in: #"label_replace(x, "é", "$1", "src", "(.*)") + y"#)
        #expect(selectors[1].position == SourcePosition(offset: 46, line: 1, column: 46))
    }

    @Test func commentsEndAtCarriageReturn() throws {
        // Prometheus ends a comment at "\r" as well as "\n": what follows is query text and must be seen.
        #expect(try selectorNames("sum(x) # c\r + y{namespace=\"other\"}") == ["x", "y"])
        #expect(try confine("x # c\r+ y") == "x{namespace=\"team-a\"} # c\r+ y{namespace=\"team-a\"}")
        #expect(enforcementError("sum(x) # c\r + y{namespace=\"other\"}") != nil)
    }

    @Test func newerAggregationsAndUnconfinableFunctions() throws {
        #expect(try selectorNames("limitk by (a) (3, x) + limit_ratio(0.5, y)") == ["x", "y"])
        #expect(syntaxError("info(rate(x[5m]))") == #"the function "info" at column 1 reads series the query does not name"#)
        #expect(try selectorNames("info + information(x)") == ["info", "x"])
    }

    @Test func largeQueriesStayLinear() throws {
        let query = Array(repeating: #"rate(x{a="b"}[5m])"#, count: 5_000).joined(separator: "\n+ ")
        let confined = try confine(query)
        #expect(try PromQLSelectors.selectors(in: confined).count == 5_000)
        #expect(try PromQLSelectors.selectors(in: confined).last?.position.line == 5_000)
    }
}
