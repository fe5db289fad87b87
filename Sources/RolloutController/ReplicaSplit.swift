/// A weight realised as replicas: the split of `total` pods whose canary share is closest to the weight, keeping at
/// least one pod on each track while the weight is strictly between 0 and 100.
public struct ReplicaSplit: Sendable, Equatable {
    public var canary: Int
    public var stable: Int

    public init(canary: Int, stable: Int) {
        self.canary = canary
        self.stable = stable
    }

    /// With one replica, a canary at 0 < weight < 100 runs one pod beside the one stable pod (50%).
    public static func forWeight(_ weight: Int, total: Int) -> ReplicaSplit {
        if total <= 0 { return ReplicaSplit(canary: 0, stable: 0) }
        if weight <= 0 { return ReplicaSplit(canary: 0, stable: total) }
        if weight >= 100 { return ReplicaSplit(canary: total, stable: 0) }
        if total == 1 { return ReplicaSplit(canary: 1, stable: 1) }
        let exact = Double(total) * Double(weight) / 100
        let canary = min(max(Int(exact.rounded()), 1), total - 1)
        return ReplicaSplit(canary: canary, stable: total - canary)
    }

    /// The weight in percent that `canary` of `canary + stable` pods carry; nil when no pod is available.
    public static func actualWeight(canary: Int, stable: Int) -> Double? {
        let all = canary + stable
        guard all > 0 else { return nil }
        return (Double(canary) / Double(all) * 1000).rounded() / 10
    }
}
