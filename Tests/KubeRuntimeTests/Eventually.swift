import Foundation
import TestSupport

/// Polls `condition` until it holds, failing after a generous real-time deadline (`timeout` scaled by
/// ``TestTimeouts``: in a full parallel run on a busy machine, tasks may wait seconds for a thread).
/// Used only to wait for asynchronous work to settle, never to measure time.
func eventually(
    _ what: String = "condition",
    timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async throws {
    try await TestTimeouts.poll(what, limit: timeout, every: .milliseconds(1), condition)
}
