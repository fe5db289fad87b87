import Foundation
import PrometheusTesting
import TestSupport

/// Polls `probe` every `interval` until it returns a value, and returns it; throws after `timeout` scaled by
/// ``TestTimeouts`` (`FLEDGE_TEST_TIMEOUT_SCALE`), with `what` and the last observation (`describe`) in the
/// message. `timeout` is what the awaited thing may take on an idle machine, with room to spare; the scale
/// makes a busy machine slower, never red. Deadlines bound a hang, they do not assert speed.
func waitFor<T: Sendable>(_ what: String, timeout: Duration, interval: Duration = .milliseconds(300),
                          describe: @Sendable () async -> String = { "" },
                          _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + TestTimeouts.scaled(timeout)
    var lastError: (any Error)?
    while true {
        do {
            if let value = try await probe() { return value }
            lastError = nil
        } catch let error as CancellationError {
            throw error
        } catch {
            lastError = error
        }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    let seen = await describe()
    var message = "timed out after \(TestTimeouts.describe(timeout)) waiting for \(what)"
    if let lastError { message += "\nlast error: \(lastError)" }
    if !seen.isEmpty { message += "\nlast seen: \(seen)" }
    throw E2EError(message)
}

/// Polls `condition` until true; see ``waitFor(_:timeout:interval:describe:_:)``.
func waitUntil(_ what: String, timeout: Duration, interval: Duration = .milliseconds(300),
               describe: @Sendable () async -> String = { "" },
               _ condition: @Sendable () async throws -> Bool) async throws {
    let _: Bool = try await waitFor(what, timeout: timeout, interval: interval, describe: describe) {
        try await condition() ? true : nil
    }
}

/// Checks that `condition` stays true for all of `duration` (polling), e.g. "no promotion while Prometheus is
/// down"; throws at the first observation where it does not hold. `duration` is not scaled: a busy machine
/// makes the check look less often, never fail.
func holds(_ what: String, for duration: Duration, interval: Duration = .milliseconds(500),
           describe: @Sendable () async -> String = { "" },
           _ condition: @Sendable () async throws -> Bool) async throws {
    let end = ContinuousClock.now + duration
    while ContinuousClock.now < end {
        if try await !condition() {
            throw E2EError("expected \(what) to hold for \(duration), but it did not; seen: \(await describe())")
        }
        try await Task.sleep(for: interval)
    }
}
