import Foundation

/// The limits of the tests' condition waits, scaled for the machine they run on.
///
/// A wait's limit only bounds a hang: a test polls for a condition and goes on as soon as it holds, so a limit
/// costs nothing while things work. Each limit written in a test is what the awaited thing may take on an idle
/// machine, with room to spare; the tests wait ``scale`` times that. The default (4) lets the suite pass on two
/// cores shared with other builds (load 8); `FLEDGE_TEST_TIMEOUT_SCALE` sets another factor, e.g. 10 on a
/// slower machine, or 1 to have a hang reported sooner.
///
/// Every test target that waits on real time uses this one factor: the end-to-end tests' `waitFor`, the
/// controller tests' `eventually`, the Prometheus harnesses' polls and ``PrometheusProcess``'s readiness.
public enum TestTimeouts {
    /// The environment variable that sets ``scale``.
    public static let variable = "FLEDGE_TEST_TIMEOUT_SCALE"

    /// The factor when ``variable`` is unset.
    public static let defaultScale = 4.0

    /// The factor every wait limit is multiplied by: ``variable`` if set to a positive number, else
    /// ``defaultScale``.
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment[variable]?.trimmingCharacters(in: .whitespaces),
              !text.isEmpty else { return defaultScale }
        guard let value = Double(text), value.isFinite, value > 0 else {
            FileHandle.standardError.write(Data(
                "\(variable)=\(text) is not a positive number; the tests' waits use the default scale \(defaultScale)\n".utf8))
            return defaultScale
        }
        return value
    }()

    /// The one condition wait: polls `condition` every `interval` until it holds; throws ``WaitTimedOut`` (with
    /// what `lastSeen` says was there instead) after `limit` × ``scale``. Only waits, never measures.
    public static func poll(_ what: String, limit: Duration, every interval: Duration = .milliseconds(20),
                            lastSeen: () async -> String = { "" }, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + scaled(limit)
        while try await !condition() {
            if ContinuousClock.now >= deadline {
                throw WaitTimedOut(what: what, limit: describe(limit), lastSeen: await lastSeen())
            }
            try await Task.sleep(for: interval)
        }
    }

    /// `limit` × ``scale``: how long a test waits for something that takes up to `limit` on an idle machine.
    public static func scaled(_ limit: Duration) -> Duration {
        limit * scale
    }

    /// `minutes` × ``scale``, rounded up: for a Swift Testing `.timeLimit(.minutes(_:))`, which counts whole
    /// minutes.
    public static func minutes(_ minutes: Int) -> Int {
        Int((Double(minutes) * scale).rounded(.up))
    }

    /// How a timed-out wait names its limit: "60 s (15 s × FLEDGE_TEST_TIMEOUT_SCALE 4)".
    public static func describe(_ limit: Duration) -> String {
        "\(seconds(scaled(limit))) (\(seconds(limit)) × \(variable) \(number(scale)))"
    }

    /// "1.5 s", "60 s".
    public static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(number(Double(seconds) + Double(attoseconds) / 1e18)) s"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3g", value)
    }
}

/// A condition wait that ran out: what was awaited, its limit as ``TestTimeouts/describe(_:)`` says it, and what
/// was there instead.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var limit: String
    public var lastSeen: String

    public var description: String {
        "timed out after \(limit) waiting for \(what)" + (lastSeen.isEmpty ? "" : "; last seen: \(lastSeen)")
    }
}
