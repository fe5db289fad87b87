/// A quantile of a bucketed histogram the way PromQL's `histogram_quantile` estimates it:
/// linear interpolation inside the bucket that holds the rank, 0 as the lower edge of the first
/// bucket, and the largest finite bound when the rank falls in the +Inf bucket.
enum HistogramQuantile {
    /// `bins` are per-bucket (not cumulative) counts over ``LatencyModel/bounds``; nil with no requests.
    static func quantile(_ q: Double, bins: [Int]) -> Double? {
        let bounds = LatencyModel.bounds
        let total = bins.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = q * Double(total)
        var below = 0
        for i in bins.indices {
            let upTo = below + bins[i]
            if Double(upTo) >= rank, bins[i] > 0 || i == bins.count - 1 {
                if bounds[i] == .infinity { return bounds[bounds.count - 2] }
                let lower = i == 0 ? 0 : bounds[i - 1]
                return lower + (bounds[i] - lower) * (rank - Double(below)) / Double(bins[i])
            }
            below = upTo
        }
        return bounds[bounds.count - 2]
    }
}
