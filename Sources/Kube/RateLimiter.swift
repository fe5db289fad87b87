import Synchronization

/// Token-bucket arithmetic: `burst` tokens, refilled at `qps` per second. Pure (time is passed in), so it is
/// tested without clocks.
///
/// ``reserve(at:)`` always takes a token, letting the balance go negative: the returned wait is how long the
/// caller must sleep before its turn, so concurrent callers queue in order instead of waking up together.
public struct TokenBucket: Sendable, Equatable {
    public let qps: Double
    public let burst: Int
    public private(set) var tokens: Double
    private var last: Duration?

    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = max(1, burst)
        tokens = Double(max(1, burst))
    }

    /// Takes one token at time `now` (any fixed origin) and returns how long to wait before using it.
    public mutating func reserve(at now: Duration) -> Duration {
        guard qps > 0 else { return .zero }
        if let last, now > last {
            tokens = min(Double(burst), tokens + Self.seconds(now - last) * qps)
        }
        if last == nil || now > last! { last = now }
        tokens -= 1
        return tokens >= 0 ? .zero : .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// A client-side rate limiter shared by every request of one client (watches pay once, when they open).
public final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket>
    private let origin = ContinuousClock.now

    /// `qps <= 0` disables limiting.
    public init(qps: Double, burst: Int) {
        bucket = Mutex(TokenBucket(qps: qps, burst: burst))
    }

    /// Waits until a request may be sent.
    public func acquire() async throws {
        let now = ContinuousClock.now - origin
        let wait = bucket.withLock { $0.reserve(at: now) }
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
