import Foundation
import PrometheusTesting

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    /// The limit as ``TestTimeouts/describe(_:)`` says it.
    var limit: String = ""
    var description: String { limit.isEmpty ? "timed out waiting for \(what)" : "timed out after \(limit) waiting for \(what)" }
}

/// Polls `condition` until it holds, failing after a generous real-time deadline (`timeout` scaled by
/// ``TestTimeouts``: in a full parallel run on a busy machine, tasks may wait seconds for a thread).
/// Used only to wait for asynchronous work to settle, never to measure time.
func eventually(
    _ what: String = "condition",
    timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + TestTimeouts.scaled(timeout)
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TimedOut(what: what, limit: TestTimeouts.describe(timeout)) }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(1))
    }
}
