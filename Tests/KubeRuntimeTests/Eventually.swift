import Foundation

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds, failing after a generous real-time deadline.
/// Used only to wait for asynchronous work to settle, never to measure time.
func eventually(
    _ what: String = "condition",
    timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TimedOut(what: what) }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(1))
    }
}
