import BenchSupport

/// Watch fan-out: how long after a PATCH each watcher had the MODIFIED event.
struct FanoutResult: Sendable {
    let watchers: Int
    let patches: Int
    /// Seconds to open all watches.
    let openSeconds: Double
    /// Every (patch, watcher) pair, from the PATCH's response arriving at the client.
    let fromResponse: LatencySummary
    /// Every (patch, watcher) pair, from just before the PATCH was sent.
    let fromSend: LatencySummary
    /// Per patch, from just before it was sent until the last watcher had it.
    let lastWatcher: LatencySummary
    /// Sequential PATCH round trips to the watched namespace (Kube client).
    let patchRoundTrip: LatencySummary
    /// The burst: PATCHes from all clients at once to watched objects.
    let burst: RateResult
    /// Seconds from the burst's start until every watcher had every event.
    let burstDeliverySeconds: Double
    var burstEventsPerSecond: Double { Double(burst.requests * watchers) / burstDeliverySeconds }
}
