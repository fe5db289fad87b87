import Foundation

/// The simulator's seeded random source: xoshiro256** seeded through SplitMix64, plus the few
/// distributions the traffic model samples from (uniform, normal, Poisson, binomial, multinomial).
///
/// The same seed gives the same sequence on every platform, so a simulation is reproducible.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose state is expanded from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var sm = seed
        s0 = Self.splitMix(&sm)
        s1 = Self.splitMix(&sm)
        s2 = Self.splitMix(&sm)
        s3 = Self.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    /// A generator for one stream derived from `seed` and a name (e.g. a pod's `namespace/name`), so that each
    /// stream is reproducible whatever the order in which streams are created.
    public init(seed: UInt64, stream name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var mixed = seed ^ hash
        self.init(seed: Self.splitMix(&mixed))
    }

    /// One SplitMix64 step.
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    // MARK: Distributions

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()  // (0, 1]
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Poisson with mean `lambda`: exact (multiplication method) below 50, normal approximation above.
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0, lambda.isFinite else { return 0 }
        if lambda < 50 {
            let limit = exp(-lambda)
            var k = 0
            var product = 1 - uniform()
            while product > limit {
                k += 1
                product *= 1 - uniform()
            }
            return k
        }
        return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
    }

    /// Binomial(`n`, `p`): Bernoulli trials for small `n`, geometric waiting times when the expected count of
    /// the rarer outcome is small, normal approximation otherwise (there `n·p·(1−p)` is at least 10).
    public mutating func binomial(_ n: Int, _ p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        if n <= 64 {
            var k = 0
            for _ in 0..<n where uniform() < p { k += 1 }
            return k
        }
        if p > 0.5 { return n - binomial(n, 1 - p) }
        if Double(n) * p < 20 {
            // Count successes by skipping geometric gaps between them.
            let logQ = log(1 - p)
            var k = 0
            var position = 0
            while true {
                let gap = Int(floor(log(1 - uniform()) / logQ))
                position += gap + 1
                if position > n { return k }
                k += 1
            }
        }
        let mean = Double(n) * p
        let sd = (mean * (1 - p)).squareRoot()
        return min(n, max(0, Int((mean + sd * normal()).rounded())))
    }

    /// Multinomial: splits `n` over `probabilities` (which should sum to 1) with sequential binomials; the
    /// last category takes what is left.
    public mutating func multinomial(_ n: Int, _ probabilities: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: probabilities.count)
        guard !probabilities.isEmpty else { return counts }
        var remaining = n
        var remainingMass = 1.0
        for i in probabilities.indices.dropLast() {
            guard remaining > 0 else { break }
            let p = remainingMass > 0 ? min(1, max(0, probabilities[i] / remainingMass)) : 0
            let k = binomial(remaining, p)
            counts[i] = k
            remaining -= k
            remainingMass -= probabilities[i]
        }
        counts[counts.count - 1] += remaining
        return counts
    }
}
