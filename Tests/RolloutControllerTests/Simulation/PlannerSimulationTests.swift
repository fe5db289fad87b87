import Foundation
import Testing

/// Deterministic simulation of the planner: seeded schedules of perturbations (Prometheus outages, lost pods,
/// stable deleted, step-list edits, invalid specs, another writer on the route, controller restarts, actions with
/// new and reused ids, new templates healthy and broken), every invariant of ``SimulationOracle`` checked after
/// every reconcile.
///
/// `make test` runs `FLEDGE_SIM_SCHEDULES` schedules (default 2,000) or as many as fit in `FLEDGE_SIM_SECONDS`
/// (default 150), on every core; `make simulate` runs many more. A failure prints its seed and a shortened reproduction: the
/// same seed with every perturbation that is not needed for the failure removed.
@Suite struct PlannerSimulationTests {
    static func environment(_ name: String) -> Int? { ProcessInfo.processInfo.environment[name].flatMap(Int.init) }

    /// What one worker found.
    struct Tally: Sendable {
        var ran = 0, reconciles = 0, promotions = 0
        var stops: [String: Int] = [:]
        var holds: Set<String> = []
        var failures: [String] = []

        mutating func add(_ other: Tally) {
            ran += other.ran
            reconciles += other.reconciles
            promotions += other.promotions
            stops.merge(other.stops, uniquingKeysWith: +)
            holds.formUnion(other.holds)
            failures += other.failures
        }
    }

    @Test func everyInvariantHoldsUnderSeededPerturbations() async {
        let schedules = Self.environment("FLEDGE_SIM_SCHEDULES") ?? 2_000
        let budget = Double(Self.environment("FLEDGE_SIM_SECONDS") ?? 150)
        let firstSeed = UInt64(Self.environment("FLEDGE_SIM_SEED") ?? 1)
        let started = Date()
        // One worker per core, each on every n-th seed: the same seeds run whatever the number of workers.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let total = await withTaskGroup(of: Tally.self) { group in
            for w in 0..<workers {
                group.addTask {
                    var tally = Tally()
                    var seed = firstSeed + UInt64(w)
                    while seed < firstSeed + UInt64(schedules), Date().timeIntervalSince(started) <= budget, tally.failures.count < 3 {
                        Self.run(seed: seed, into: &tally)
                        seed += UInt64(workers)
                    }
                    return tally
                }
            }
            var total = Tally()
            for await tally in group { total.add(tally) }
            return total
        }
        let seconds = Date().timeIntervalSince(started)
        print("planner simulation: \(total.ran) schedules, \(total.reconciles) reconciles in \(String(format: "%.1f", seconds)) s on \(workers) workers; "
              + "\(total.promotions) promotions; stops: \(total.stops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); "
              + "holds seen: \(total.holds.sorted().joined(separator: ", ")); \(total.failures.count) failing schedules")
        #expect(total.failures.isEmpty, "\(total.failures.joined(separator: "\n"))")
        // A run that fits only a handful of schedules says little: a busy machine gets a longer budget, not a pass.
        #expect(total.ran >= min(schedules, 100), "only \(total.ran) schedules ran in \(Int(budget)) s")
    }

    /// Runs one seed's schedule and adds what it found.
    static func run(seed: UInt64, into tally: inout Tally) {
        let schedule = Schedule.make(seed: seed)
        var cluster = SimulatedCluster(schedule)
        let broken = cluster.run()
        tally.ran += 1
        tally.reconciles += cluster.tick + 1
        tally.promotions += cluster.oracle.promotions
        tally.stops.merge(cluster.oracle.stops, uniquingKeysWith: +)
        tally.holds.formUnion(cluster.oracle.holds)
        if let broken {
            let short = shorten(schedule)
            tally.failures.append("""
                seed \(seed): \(broken)
                  schedule: \(schedule)
                  shortened: \(short.schedule)
                  fails with: \(short.failure)
                  reproduce: FLEDGE_SIM_SEED=\(seed) FLEDGE_SIM_SCHEDULES=1 swift test --filter PlannerSimulationTests
                """)
        }
    }

    /// Removes perturbations one at a time while the run still fails (the first one, the initial template, stays).
    static func shorten(_ schedule: Schedule) -> (schedule: Schedule, failure: String) {
        var current = schedule
        var cluster = SimulatedCluster(current)
        var failure = cluster.run() ?? "?"
        var i = 1
        while i < current.perturbations.count {
            var candidate = current
            candidate.perturbations.remove(at: i)
            var trial = SimulatedCluster(candidate)
            if let broken = trial.run() {
                current = candidate
                failure = broken
            } else {
                i += 1
            }
        }
        cluster = SimulatedCluster(current)
        _ = cluster.run()
        return (current, failure + " | last events: " + cluster.log.suffix(8).joined(separator: "; "))
    }
}
