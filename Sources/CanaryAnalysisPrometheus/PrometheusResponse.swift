import Foundation

/// One raw sample: a millisecond timestamp and its value (which may be NaN or ±Inf).
struct RawSample: Sendable, Equatable {
    var timestampMs: Int64
    var value: Double
}

/// One series of a range-vector ("matrix") result.
struct RawSeries: Sendable, Equatable {
    var labels: [String: String]
    var samples: [RawSample]
}

/// The `data` of a successful /api/v1/query answer.
enum QueryResult: Sendable, Equatable {
    case matrix([RawSeries])
    /// An instant vector: each series has exactly one sample.
    case vector([RawSeries])
    case scalar(RawSample)
    case string(String)

    var kind: String {
        switch self {
        case .matrix: "matrix"
        case .vector: "vector"
        case .scalar: "scalar"
        case .string: "string"
        }
    }
}

/// Turns a Prometheus HTTP API answer (status code and body) into a ``QueryResult`` or a
/// ``PrometheusFailure`` naming the HTTP status, Prometheus's `errorType` and `error`, or what was malformed.
enum PrometheusResponse {
    static func decode(status: Int, body: Data) throws(PrometheusFailure) -> QueryResult {
        let envelope = try? JSONDecoder().decode(Envelope.self, from: body)
        guard (200..<300).contains(status) else {
            var reason = "Prometheus answered HTTP \(status)"
            if let envelope, let error = envelope.error {
                reason += " (\(envelope.errorType.map { "\(bounded($0)): " } ?? "")\(bounded(error)))"
            } else if !body.isEmpty {
                reason += "; the body (\(body.count) bytes) is not a Prometheus API answer and is not shown"
            }
            throw PrometheusFailure(reason)
        }
        guard let envelope else {
            throw PrometheusFailure("Prometheus's answer is not the JSON of its query API (\(body.count) bytes, not shown)")
        }
        guard envelope.status == "success" else {
            let detail = [envelope.errorType, envelope.error].compactMap { $0 }.map { bounded($0) }.joined(separator: ": ")
            throw PrometheusFailure("the query failed (status \(bounded(envelope.status)))" + (detail.isEmpty ? "" : ": " + detail))
        }
        guard let data = envelope.data else { throw PrometheusFailure("Prometheus's answer has no data") }
        switch data.resultType {
        case "matrix":
            guard case .series(let items)? = data.result else { throw malformed("matrix result is not a list of series") }
            var series: [RawSeries] = []
            for item in items {
                var samples: [RawSample] = []
                for pair in item.values ?? [] { samples.append(try sample(pair)) }
                series.append(RawSeries(labels: item.metric ?? [:], samples: samples))
            }
            return .matrix(series)
        case "vector":
            guard case .series(let items)? = data.result else { throw malformed("vector result is not a list of samples") }
            var series: [RawSeries] = []
            for item in items {
                guard let value = item.value else { continue }  // a native-histogram sample: not used here
                series.append(RawSeries(labels: item.metric ?? [:], samples: [try sample(value)]))
            }
            return .vector(series)
        case "scalar":
            guard case .pair(let pair)? = data.result else { throw malformed("scalar result is not a [time, value] pair") }
            return .scalar(try sample(pair))
        case "string":
            guard case .pair(let pair)? = data.result else { throw malformed("string result is not a [time, value] pair") }
            return .string(pair.value)
        default:
            throw malformed("unknown result type \"\(data.resultType)\"")
        }
    }

    private static func sample(_ pair: Pair) throws(PrometheusFailure) -> RawSample {
        guard pair.time.isFinite else { throw malformed("a sample's timestamp is not a number") }
        guard let value = parseValue(pair.value) else { throw malformed("sample value \"\(pair.value.prefix(40))\" is not a number") }
        return RawSample(timestampMs: Int64((pair.time * 1000).rounded()), value: value)
    }

    /// Prometheus writes values as strings: decimal numbers, `NaN`, `+Inf`, `-Inf`.
    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    private static func malformed(_ what: String) -> PrometheusFailure {
        PrometheusFailure("malformed answer from Prometheus: " + what)
    }

    /// What of a Prometheus error text may reach status and Events: at most 200 characters, control characters
    /// replaced. Only the `errorType` and `error` fields of a Prometheus API answer are ever shown, never a body
    /// that is not one (an address pointing elsewhere must not turn the controller into a way to read it).
    static func bounded(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        return cleaned + (text.unicodeScalars.count > 200 ? "…" : "")
    }

    // MARK: Wire format

    private struct Envelope: Decodable {
        var status: String
        var data: Payload?
        var errorType: String?
        var error: String?
    }

    private struct Payload: Decodable {
        var resultType: String
        var result: Result?
    }

    private enum Result: Decodable {
        case series([Item])
        case pair(Pair)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let items = try? container.decode([Item].self) {
                self = .series(items)
            } else {
                self = .pair(try container.decode(Pair.self))
            }
        }
    }

    private struct Item: Decodable {
        var metric: [String: String]?
        var value: Pair?
        var values: [Pair]?
    }

    /// `[1712345678.123, "42"]`.
    private struct Pair: Decodable {
        var time: Double
        var value: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            time = try container.decode(Double.self)
            value = try container.decode(String.self)
        }
    }
}
