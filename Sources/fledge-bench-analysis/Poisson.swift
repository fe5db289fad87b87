import Foundation

/// Exact Poisson variates: Knuth's multiplication method for small means and Hörmann's
/// transformed rejection with squeeze (PTRS, 1993) for means of 10 and above, whose cost does
/// not grow with the mean.
enum Poisson {
    /// Means below this use Knuth's method (about `mean + 1` uniforms per draw).
    static let knuthLimit = 10.0

    @inline(__always)
    static func sample(mean: Double, using rng: inout Xoshiro256StarStar) -> Int {
        if mean <= 0 { return 0 }
        if mean < knuthLimit { return knuth(mean: mean, using: &rng) }
        return ptrs(mean: mean, using: &rng)
    }

    @inline(__always)
    static func knuth(mean: Double, using rng: inout Xoshiro256StarStar) -> Int {
        let limit = exp(-mean)
        var product = rng.uniformOpen()
        var k = 0
        while product > limit {
            k += 1
            product *= rng.uniformOpen()
        }
        return k
    }

    static func ptrs(mean: Double, using rng: inout Xoshiro256StarStar) -> Int {
        let sq = mean.squareRoot()
        let logMean = log(mean)
        let b = 0.931 + 2.53 * sq
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = rng.uniform() - 0.5
            let v = rng.uniformOpen()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let lhs = log(v * inverseAlpha / (a / (us * us) + b))
            let rhs = -mean + k * logMean - lgamma(k + 1)
            if lhs <= rhs { return Int(k) }
        }
    }
}
