import Foundation
import RolloutAPI

/// Where the rollout of a Rollout's current template stands, as a pipeline needs it: still moving, waiting for a
/// person, or over (promoted, or not). Read from the status alone, and only once the controller has seen the
/// current spec (`status.observedGeneration` at `metadata.generation`): before that, any verdict would be about an
/// older template.
enum RolloutVerdict: Equatable {
    /// The controller has not yet reported on the current spec.
    case waiting(String)
    /// A first deploy or a canary moving through its steps.
    case progressing(String)
    /// Held for a person: a pause step, `spec.paused`, an inconclusive analysis, missing metrics, a contested route.
    case held(String)
    /// The current template is stable and every step is done.
    case promoted(String)
    /// Rolled back, aborted, or the spec is invalid: the current template will not become stable by itself.
    case failed(String)

    init(_ rollout: Rollout) {
        let name = rollout.metadata.name ?? "rollout"
        guard let status = rollout.status else {
            self = .waiting("\(name): waiting for the controller to report a status")
            return
        }
        if let generation = rollout.metadata.generation, (status.observedGeneration ?? 0) < generation {
            self = .waiting("\(name): waiting for the controller to see generation \(generation)")
            return
        }
        let message = { (condition: RolloutConditionType) in
            status.condition(condition)?.message.flatMap { $0.isEmpty ? nil : $0 } ?? status.message ?? ""
        }
        if let invalid = status.condition(.invalidSpec), invalid.status == "True" {
            self = .failed("\(name): invalid spec: \(invalid.message ?? "")")
            return
        }
        switch status.phase {
        case .degraded?:
            self = .failed("\(name): stopped (\(status.canary?.aborted?.reason ?? "Degraded")): \(message(.progressing))")
        case .paused?:
            self = .held("\(name): paused: \(message(.paused))")
        case .healthy?:
            self = .promoted("\(name): \(status.stableVersion.map { "\($0) is stable" } ?? "stable"): \(message(.completed))")
        case .progressing?, nil:
            self = .progressing("\(name): \(message(.progressing))")
        }
    }

    /// The one line printed when the verdict changes.
    var line: String {
        switch self {
        case .waiting(let s), .progressing(let s), .held(let s), .promoted(let s), .failed(let s): s
        }
    }
}
