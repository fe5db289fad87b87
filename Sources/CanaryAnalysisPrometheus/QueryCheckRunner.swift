import CanaryAnalysis
import Foundation

/// Runs the users' query checks: each query once per track as an instant query at the
/// interval's end, with `{{track}}`, `{{version}}`, `{{service}}` and `{{namespace}}` replaced
/// by escaped label values. A query must give exactly one finite number (a scalar or a
/// one-element vector); otherwise that track's value is nil and the reason says why.
struct QueryCheckRunner: Sendable {
    let client: PrometheusAPIClient
    let target: AnalysisTarget
    let end: Date

    /// Every check's values, keyed by check name.
    func run(_ checks: [QueryCheck]) async -> [String: QueryValues] {
        await withTaskGroup(of: (String, QueryValues).self) { group in
            for check in checks {
                group.addTask { (check.name, await values(check)) }
            }
            var out: [String: QueryValues] = [:]
            for await (name, values) in group { out[name] = values }
            return out
        }
    }

    /// One check's value on both tracks.
    func values(_ check: QueryCheck) async -> QueryValues {
        async let stable = value(check, track: .stable)
        async let canary = value(check, track: .canary)
        let results = await [(Track.stable, stable), (Track.canary, canary)]
        var values = QueryValues()
        var reasons: [String] = []
        for (track, result) in results {
            switch result {
            case .success(let v): if track == .stable { values.stable = v } else { values.canary = v }
            case .failure(let failure): reasons.append("\(track): \(failure.reason)")
            }
        }
        if !reasons.isEmpty { values.reason = "query \"\(check.name)\": " + reasons.joined(separator: "; ") }
        return values
    }

    /// The placeholder values for one track; a placeholder without a value is absent.
    func placeholders(_ track: Track) -> [String: String] {
        var values = ["track": track.rawValue, "service": target.service]
        if let namespace = target.namespace { values["namespace"] = namespace }
        if let version = track == .stable ? target.stableVersion : target.canaryVersion { values["version"] = version }
        return values
    }

    private func value(_ check: QueryCheck, track: Track) async -> Result<Double, PrometheusFailure> {
        let values = placeholders(track)
        let missing = PromQL.placeholders(in: check.query)
            .intersection(["track", "service", "namespace", "version"])
            .subtracting(values.keys)
        if let name = missing.sorted().first {
            return .failure(PrometheusFailure("the query uses {{\(name)}} but the target has no \(name) for this track"))
        }
        let promql = PromQL.substitute(check.query, values)
        let result: QueryResult
        switch await client.result(promql, at: end) {
        case .success(let r): result = r
        case .failure(let f): return .failure(f)
        }
        let number: Double
        switch result {
        case .scalar(let sample):
            number = sample.value
        case .vector(let series) where series.count == 1:
            guard let sample = series[0].samples.first else { return .failure(PrometheusFailure("the query's sample has no value")) }
            number = sample.value
        case .vector(let series) where series.isEmpty:
            return .failure(PrometheusFailure("the query returned no series"))
        case .vector(let series):
            return .failure(PrometheusFailure("the query returned \(series.count) series; it must return one (aggregate it, e.g. with sum)"))
        case .matrix, .string:
            return .failure(PrometheusFailure("the query returned a \(result.kind); it must return a scalar or a one-element vector"))
        }
        guard number.isFinite else {
            return .failure(PrometheusFailure("the query's value is \(number.isNaN ? "NaN" : number > 0 ? "+Inf" : "-Inf")"))
        }
        return .success(number)
    }
}
