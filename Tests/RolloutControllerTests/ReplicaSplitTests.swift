import Foundation
import RolloutAPI
import RolloutController
import Testing

/// A weight realised as replicas: the closest split, with at least one pod per track while 0 < weight < 100.
@Suite struct ReplicaSplitTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var weight: Int
        var total: Int
        /// Acceptable canary replica counts (two when the exact share lies halfway between).
        var canary: Set<Int>
        var stable: @Sendable (Int) -> Int
        var testDescription: String { "\(weight)% of \(total)" }

        init(_ weight: Int, _ total: Int, canary: Set<Int>, stable: @escaping @Sendable (Int) -> Int) {
            self.weight = weight
            self.total = total
            self.canary = canary
            self.stable = stable
        }

        init(_ weight: Int, _ total: Int, _ canary: Int, _ stable: Int) {
            self.init(weight, total, canary: [canary], stable: { _ in stable })
        }
    }

    /// Worked out by hand from the rule (not from the code).
    static let table: [Row] = [
        // 0%: no canary pod.
        Row(0, 1, 0, 1), Row(0, 2, 0, 2), Row(0, 4, 0, 4), Row(0, 10, 0, 10), Row(0, 20, 0, 20),
        // 1%: one canary pod; with a single replica the canary runs beside it.
        Row(1, 1, 1, 1), Row(1, 2, 1, 1), Row(1, 4, 1, 3), Row(1, 10, 1, 9), Row(1, 20, 1, 19),
        // 5%: one pod of 20 is exact.
        Row(5, 1, 1, 1), Row(5, 2, 1, 1), Row(5, 4, 1, 3), Row(5, 10, 1, 9), Row(5, 20, 1, 19),
        // 25%: 2.5 of 10 is a tie between 2 and 3.
        Row(25, 1, 1, 1), Row(25, 2, 1, 1), Row(25, 4, 1, 3), Row(25, 10, canary: [2, 3], stable: { 10 - $0 }), Row(25, 20, 5, 15),
        Row(50, 1, 1, 1), Row(50, 2, 1, 1), Row(50, 4, 2, 2), Row(50, 10, 5, 5), Row(50, 20, 10, 10),
        // 99%: stable keeps one pod.
        Row(99, 1, 1, 1), Row(99, 2, 1, 1), Row(99, 4, 3, 1), Row(99, 10, 9, 1), Row(99, 20, 19, 1),
        // 100%: every pod on the canary.
        Row(100, 1, 1, 0), Row(100, 2, 2, 0), Row(100, 4, 4, 0), Row(100, 10, 10, 0), Row(100, 20, 20, 0),
    ]

    @Test(arguments: table)
    func splitTable(_ row: Row) {
        let split = ReplicaSplit.forWeight(row.weight, total: row.total)
        #expect(row.canary.contains(split.canary), "canary \(split.canary)")
        #expect(split.stable == row.stable(split.canary), "stable \(split.stable)")
    }

    /// The rule itself, for every weight and sizes up to 30: among the splits with a pod on each track, the one
    /// whose canary share is closest to the weight.
    @Test func theSplitIsTheClosestWithAPodOnEachTrack() {
        for total in 2...30 {
            for weight in 1...99 {
                let split = ReplicaSplit.forWeight(weight, total: total)
                #expect(split.canary + split.stable == total)
                #expect(split.canary >= 1 && split.stable >= 1, "\(weight)% of \(total)")
                let exact = Double(total) * Double(weight) / 100
                let best = (1...(total - 1)).map { abs(Double($0) - exact) }.min()!
                #expect(abs(Double(split.canary) - exact) <= best + 1e-9, "\(weight)% of \(total): \(split.canary) canary pods")
            }
        }
    }

    @Test func noReplicasNoPods() {
        #expect(ReplicaSplit.forWeight(50, total: 0) == ReplicaSplit(canary: 0, stable: 0))
    }

    @Test func actualWeightIsTheAvailableCanaryShareToOneDecimal() {
        #expect(ReplicaSplit.actualWeight(canary: 1, stable: 19) == 5)
        #expect(ReplicaSplit.actualWeight(canary: 1, stable: 2) == 33.3)
        #expect(ReplicaSplit.actualWeight(canary: 2, stable: 1) == 66.7)
        #expect(ReplicaSplit.actualWeight(canary: 4, stable: 0) == 100)
        #expect(ReplicaSplit.actualWeight(canary: 0, stable: 0) == nil)
    }

    /// With 4 replicas a 5% step gets the nearest possible split, 25%: the status shows both numbers.
    @Test func statusShowsTheSetAndTheMeasuredWeight() throws {
        var world = try World.healthy(makeRollout(replicas: 4, steps: [.weight(5), .pause()]))
        world.update(tag: "2.0.0")
        for t in [0.0, 1, 2] { world.reconcile(at: at(t)) }
        #expect(world.status.canaryWeight == 5)
        #expect(world.status.actualCanaryWeight == 25)
        #expect(world.canary?.specReplicas == 1)
        #expect(world.stable?.specReplicas == 3)
    }
}
