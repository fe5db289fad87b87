import Foundation
import KubeJSON
import RolloutAPI
import RolloutController
import Testing

/// Planning again from the status a plan returned, with the same observations and time, asks for the same
/// Deployments, the same status, no new interval and no new Events: what makes a reconcile safe to repeat.
@Suite struct PlannerIdempotenceTests {
    enum Scenario: String, CaseIterable, CustomTestStringConvertible {
        case stableProgressing, healthy, canaryStarted, canaryShrinkingStable, weightAdvanced, pauseStep, timedPause
        case warmingUp, analysisStarted, intervalObserved, rolledBack, inconclusiveHold, aborted, promotingFully
        case promoted, invalidSpec, conflict, abandoned, specPaused, invalidAction

        var testDescription: String { rawValue }
    }

    /// Drives a world to the scenario; the last reconcile is the one checked.
    func world(_ scenario: Scenario) throws -> World {
        let analysed = [RolloutStep.weight(50), .analysis("1m"), .weight(100)]
        func canary(_ steps: [RolloutStep] = analysed) throws -> World {
            var w = try World.healthy(makeRollout(tag: "1.0.0", replicas: 4, steps: steps))
            w.update(tag: "2.0.0")
            return w
        }
        switch scenario {
        case .stableProgressing:
            var w = World(makeRollout())
            w.settles = false
            w.reconcile(at: at(0))
            w.reconcile(at: at(1))
            return w
        case .healthy:
            return try World.healthy(makeRollout())
        case .canaryStarted:
            var w = try canary()
            w.reconcile(at: at(0))
            return w
        case .canaryShrinkingStable:
            var w = try canary()
            w.reconcile(at: at(0))
            w.reconcile(at: at(1))
            return w
        case .weightAdvanced:
            var w = try canary([.weight(25), .weight(50), .weight(100)])
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            return w
        case .pauseStep:
            var w = try canary([.weight(50), .pause(), .weight(100)])
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            return w
        case .timedPause:
            var w = try canary([.weight(50), .pause("1m"), .weight(100)])
            for t in [0.0, 1, 2, 20] { w.reconcile(at: at(t)) }
            return w
        case .warmingUp:
            var w = try canary()
            for t in [0.0, 1, 2, 10] { w.reconcile(at: at(t)) }
            return w
        case .analysisStarted:
            var w = try canary()
            for t in [0.0, 1, 2, 32] { w.reconcile(at: at(t)) }
            return w
        case .intervalObserved:
            var w = try canary([.weight(50), .analysis("3m"), .weight(100)])
            w.samples = [Traffic.good]
            for t in [0.0, 1, 2, 32, 102] { w.reconcile(at: at(t)) }
            return w
        case .rolledBack:
            var w = try canary()
            w.samples = [Traffic.bad]
            for t in [0.0, 1, 2, 32, 102] { w.reconcile(at: at(t)) }
            return w
        case .inconclusiveHold:
            var w = try canary()
            w.samples = [Traffic.thin]
            for t in [0.0, 1, 2, 32, 102] { w.reconcile(at: at(t)) }
            return w
        case .aborted:
            var w = try canary()
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            w.annotate("abort:1")
            w.reconcile(at: at(3))
            return w
        case .promotingFully:
            var w = try canary()
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            w.settles = false
            w.annotate("promote-full:1")
            w.reconcile(at: at(3))
            return w
        case .promoted:
            var w = try canary()
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            w.annotate("promote-full:1")
            w.reconcile(at: at(3))
            w.reconcile(at: at(4))
            return w
        case .invalidSpec:
            var w = World(makeRollout(steps: [.weight(150)]))
            w.reconcile(at: at(0))
            return w
        case .conflict:
            var w = World(makeRollout(), stable: observed(.stable, hash: nil, replicas: 1, owned: false))
            w.reconcile(at: at(0))
            return w
        case .abandoned:
            var w = try canary()
            for t in [0.0, 1, 2] { w.reconcile(at: at(t)) }
            w.update(tag: "1.0.0")
            w.reconcile(at: at(3))
            return w
        case .specPaused:
            var w = try canary()
            for t in [0.0, 1, 2, 32] { w.reconcile(at: at(t)) }
            w.rollout.spec?.paused = true
            w.reconcile(at: at(40))
            return w
        case .invalidAction:
            var w = try canary()
            w.annotate("nonsense")
            w.reconcile(at: at(0))
            return w
        }
    }

    @Test(arguments: Scenario.allCases)
    func planningAgainFromTheReturnedStatusChangesNothing(_ scenario: Scenario) throws {
        let w = try world(scenario)
        let first = try #require(w.lastPlan)
        let again = try #require(w.replanFromReturnedStatus())
        #expect(again.deployments == first.deployments)
        #expect(again.services == first.services)
        // Messages may be reworded on a quiet pass (an interval's result becomes "waiting for the next"); every
        // other field must be the same.
        let differences = fieldDifferences(withoutMessages(again.status), withoutMessages(first.status))
        #expect(differences.isEmpty, "status fields that changed: \(differences)")
        #expect(again.interval == first.interval)
        #expect(again.events.isEmpty, "new events: \(again.events.map(\.reason))")
    }

    /// The first plan of a Rollout creates stable; until the informer has the new Deployment, a repeat of the
    /// reconcile (the Rollout's own status write arrives first) must not record `StableCreated` a second time.
    @Test
    func firstDeployIsIdempotentBeforeTheCacheSeesStable() throws {
        var w = World(makeRollout())
        w.reconcile(at: at(0))
        let again = try #require(w.replanFromReturnedStatus())
        #expect(again.events.isEmpty, "new events: \(again.events.map(\.reason))")
    }
}

/// The status with `message` and every condition's message cleared.
func withoutMessages(_ status: RolloutStatus) -> RolloutStatus {
    var s = status
    s.message = nil
    s.conditions = s.conditions?.map { c in
        var c = c
        c.message = nil
        return c
    }
    return s
}

/// Top-level status fields (and condition types) whose values differ, by name, to keep failures readable.
func fieldDifferences(_ a: RolloutStatus, _ b: RolloutStatus) -> [String] {
    guard let ja = try? JSONValue(encoding: a).objectValue, let jb = try? JSONValue(encoding: b).objectValue else { return ["<encoding>"] }
    var out: [String] = []
    for key in Set(ja.keys).union(jb.keys).sorted() where ja[key] != jb[key] {
        if key == "conditions" {
            for c in RolloutConditionType.allCases where a.condition(c) != b.condition(c) { out.append("conditions.\(c.rawValue)") }
        } else {
            out.append(key)
        }
    }
    return out
}
