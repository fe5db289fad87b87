import Synchronization

/// When each watcher received each of its watch events.
///
/// Watchers number their events by arrival (a newline ends one); with a single writer to the watched namespace
/// event `k` of every watcher is the `k`-th PATCH. Watchers only count newlines, so that the measurement costs
/// the 2 cores as little as possible; ``WatchFleet`` checks the content of one watcher's stream.
final class FanoutTracker: Sendable {
    struct State {
        /// Arrival time of event `k` at watcher `w`, at `k * watchers + w` (0: not yet).
        var times: [Int64]
        var perWatcher: [Int]
        var total = 0
    }

    let watchers: Int
    let capacity: Int
    private let state: Mutex<State>

    init(watchers: Int, eventsPerWatcher: Int) {
        self.watchers = watchers
        capacity = eventsPerWatcher
        state = Mutex(State(times: Array(repeating: 0, count: watchers * eventsPerWatcher),
                            perWatcher: Array(repeating: 0, count: watchers)))
    }

    /// Watcher `w` received `events` complete events at `time`.
    func record(watcher w: Int, events: Int, at time: Int64) {
        state.withLock { s in
            for _ in 0..<events {
                let k = s.perWatcher[w]
                if k < capacity { s.times[k * watchers + w] = time }
                s.perWatcher[w] = k + 1
                s.total += 1
            }
        }
    }

    var total: Int { state.withLock { $0.total } }

    /// Arrival times of event `k` at every watcher (0 for watchers that did not get it).
    func arrivals(ofEvent k: Int) -> [Int64] {
        state.withLock { s in Array(s.times[(k * watchers)..<((k + 1) * watchers)]) }
    }

    /// Polls (every 200 µs) until `target` events arrived in all; false after `timeout`.
    func wait(untilTotal target: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while total < target {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .microseconds(200))
        }
        return true
    }
}
