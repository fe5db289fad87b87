import BenchSupport

/// One request-rate measurement: how many requests, how long in all, and each one's latency.
struct RateResult: Sendable {
    let label: String
    let requests: Int
    let seconds: Double
    let latency: LatencySummary

    var perSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    /// Times `run`, which returns per-request latencies in nanoseconds.
    static func measure(_ label: String, _ run: () async throws -> [Int64]) async throws -> RateResult {
        let start = Nanos.now()
        let latencies = try await run()
        let end = Nanos.now()
        return RateResult(label: label, requests: latencies.count, seconds: Nanos.seconds(start, end),
                          latency: LatencySummary(nanoseconds: latencies))
    }
}
