import CanaryAnalysisTesting
import Foundation
import RolloutAPI

/// One thing that happens to a rollout between two reconciles in the simulation.
enum Perturbation: Equatable, CustomStringConvertible {
    /// The user applies a new template, healthy or broken.
    case newTemplate(good: Bool)
    /// The user sets the template back to the stable version.
    case revertTemplate
    /// Prometheus answers nothing for this many ticks.
    case prometheusOutage(ticks: Int)
    /// Every canary pod dies (they come back over the next ticks).
    case canaryPodsLost
    /// `<name>-stable` is deleted, or relabelled so the cache no longer sees it.
    case stableDeleted
    /// The step list is replaced by the pool's list at this index.
    case editSteps(Int)
    /// The spec turns invalid, or is fixed again.
    case breakSpec, fixSpec
    /// Another writer (a GitOps sync) sets the route's canary weight.
    case routeReverted(Int)
    /// The controller restarts: everything only in its memory is gone.
    case restart
    /// The user asks for an action, with a new id or one used before.
    case action(RolloutAction.Verb, reuse: Bool)
    /// The user flips `spec.paused`.
    case togglePause

    var description: String {
        switch self {
        case .newTemplate(let good): "new template (\(good ? "healthy" : "broken"))"
        case .revertTemplate: "template back to stable"
        case .prometheusOutage(let t): "Prometheus down for \(t) ticks"
        case .canaryPodsLost: "canary pods lost"
        case .stableDeleted: "stable Deployment deleted"
        case .editSteps(let i): "step list edited to pool[\(i)]"
        case .breakSpec: "spec made invalid"
        case .fixSpec: "spec fixed"
        case .routeReverted(let w): "route set to \(w)% by another writer"
        case .restart: "controller restarted"
        case .action(let verb, let reuse): "action \(verb.rawValue)\(reuse ? " (old id)" : "")"
        case .togglePause: "spec.paused flipped"
        }
    }
}

/// A perturbation and the tick before whose reconcile it happens.
struct ScheduledPerturbation: Equatable, CustomStringConvertible {
    var tick: Int
    var perturbation: Perturbation
    var description: String { "tick \(tick): \(perturbation)" }
}

/// Everything one simulated run does, drawn from its seed: the Rollout's shape and the perturbations. Removing
/// perturbations (to shorten a failing run) keeps everything else the same.
struct Schedule: CustomStringConvertible {
    var seed: UInt64
    var routed: Bool
    var replicas: Int
    var ticks: Int
    var perturbations: [ScheduledPerturbation]

    /// The step lists a schedule starts with and edits to (intervals of 30 s).
    static let stepPool: [[RolloutStep]] = [
        [.weight(10), .analysis("2m"), .weight(50), .analysis("2m"), .weight(100)],
        [.weight(10), .analysis("2m"), .weight(25), .analysis("1m"), .weight(50), .analysis("2m"), .weight(100)],
        [.weight(10), .analysis("2m"), .weight(25)],
        [.weight(10), .analysis("2m"), .weight(50), .weight(100)],
        [.weight(20), .pause("1m"), .weight(40), .analysis("2m"), .weight(100)],
        [.weight(10), .analysis("2m"), .weight(50), .analysis("90s"), .weight(100)],
        [.weight(25), .weight(50), .weight(100)],
    ]

    static func make(seed: UInt64) -> Schedule {
        var rng = SeededGenerator(seed: seed)
        let routed = Bool.random(using: &rng)
        let replicas = [2, 3, 4, 5, 10].randomElement(using: &rng)!
        let ticks = Int.random(in: 80...180, using: &rng)
        var list: [ScheduledPerturbation] = [ScheduledPerturbation(tick: 2, perturbation: .newTemplate(good: Bool.random(using: &rng)))]
        let count = Int.random(in: 2...12, using: &rng)
        for _ in 0..<count {
            let tick = Int.random(in: 3..<ticks, using: &rng)
            let p: Perturbation
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<14: p = .newTemplate(good: Int.random(in: 0..<10, using: &rng) < 6)
            case 14..<18: p = .revertTemplate
            case 18..<30: p = .prometheusOutage(ticks: Int.random(in: 1...40, using: &rng))
            case 30..<40: p = .canaryPodsLost
            case 40..<47: p = .stableDeleted
            case 47..<56: p = .editSteps(Int.random(in: 0..<stepPool.count, using: &rng))
            case 56..<59: p = .breakSpec
            case 59..<62: p = .fixSpec
            case 62..<72: p = .routeReverted([0, 5, 50, 100].randomElement(using: &rng)!)
            case 72..<78: p = .restart
            case 78..<95:
                let verb = RolloutAction.Verb.allCases.randomElement(using: &rng)!
                p = .action(verb, reuse: Int.random(in: 0..<4, using: &rng) == 0)
            default: p = .togglePause
            }
            list.append(ScheduledPerturbation(tick: tick, perturbation: p))
        }
        list.sort { $0.tick < $1.tick }
        return Schedule(seed: seed, routed: routed, replicas: replicas, ticks: ticks, perturbations: list)
    }

    var description: String {
        "seed \(seed): \(routed ? "HTTPRoute" : "replica ratio"), \(replicas) replicas, \(ticks) ticks; "
            + perturbations.map(\.description).joined(separator: "; ")
    }
}
