import Foundation

/// Decides how long a key waits before it is retried. Rate limiters are values owned by
/// a `WorkQueue` (an actor), so they need no locking of their own.
public protocol RateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable

    /// The delay before `key` may be processed again, recording one more failure.
    mutating func when(_ key: Key, now: RuntimeInstant) -> Duration
    /// Clears the failure history of `key` (after a success).
    mutating func forget(_ key: Key)
    /// How many times `key` has been retried since it was last forgotten.
    func numRequeues(_ key: Key) -> Int
}

/// Per-key exponential backoff: `base * 2^failures`, capped at `maximum`.
/// The defaults (5 ms → 1000 s) match client-go's controller rate limiter.
public struct ItemExponentialRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public var base: Duration
    public var maximum: Duration
    private var failures: [Key: Int] = [:]

    public init(base: Duration = .milliseconds(5), maximum: Duration = .seconds(1000)) {
        self.base = base
        self.maximum = maximum
    }

    public mutating func when(_ key: Key, now: RuntimeInstant) -> Duration {
        let exponent = failures[key, default: 0]
        failures[key] = exponent + 1
        // Computed in floating point so that large exponents cannot overflow.
        let seconds = base.inSeconds * pow(2.0, Double(exponent))
        if !seconds.isFinite || seconds >= maximum.inSeconds || exponent >= 62 { return maximum }
        return base * (1 << exponent)
    }

    public mutating func forget(_ key: Key) {
        failures[key] = nil
    }

    public func numRequeues(_ key: Key) -> Int {
        failures[key, default: 0]
    }
}

/// An overall token bucket shared by all keys: `burst` tokens, refilled at `qps` per
/// second. Every call takes one token; when none is left the caller waits for the next
/// one (reservations may go negative, like Go's `rate.Limiter.Reserve`).
public struct TokenBucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let qps: Double
    public let burst: Int
    private var tokens: Double
    private var last: RuntimeInstant?

    public init(qps: Double = 10, burst: Int = 100) {
        self.qps = qps
        self.burst = burst
        self.tokens = Double(burst)
    }

    public mutating func when(_ key: Key, now: RuntimeInstant) -> Duration {
        if let last, now > last {
            tokens = min(Double(burst), tokens + (now - last).inSeconds * qps)
        }
        if last == nil || now > last! { last = now }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .seconds(-tokens / qps)
    }

    public mutating func forget(_ key: Key) {}

    public func numRequeues(_ key: Key) -> Int { 0 }
}

/// Combines two limiters: the delay is the larger of both, the requeue count the larger
/// of both, and `forget` resets both.
public struct MaxOfRateLimiter<First: RateLimiter, Second: RateLimiter>: RateLimiter where First.Key == Second.Key {
    public typealias Key = First.Key
    public var first: First
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public mutating func when(_ key: Key, now: RuntimeInstant) -> Duration {
        let a = first.when(key, now: now)
        let b = second.when(key, now: now)
        return max(a, b)
    }

    public mutating func forget(_ key: Key) {
        first.forget(key)
        second.forget(key)
    }

    public func numRequeues(_ key: Key) -> Int {
        max(first.numRequeues(key), second.numRequeues(key))
    }
}

/// client-go's default controller rate limiter: per-key exponential backoff
/// 5 ms → 1000 s combined (max) with an overall bucket of 10 qps, burst 100.
public typealias DefaultControllerRateLimiter<Key: Hashable & Sendable> =
    MaxOfRateLimiter<ItemExponentialRateLimiter<Key>, TokenBucketRateLimiter<Key>>

/// Creates client-go's default controller rate limiter (see `DefaultControllerRateLimiter`).
public func defaultControllerRateLimiter<Key: Hashable & Sendable>(
    for _: Key.Type = Key.self
) -> DefaultControllerRateLimiter<Key> {
    MaxOfRateLimiter(ItemExponentialRateLimiter(), TokenBucketRateLimiter())
}
