import CanaryAnalysis
import Foundation
import KubeJSON
import RolloutAPI

/// The pure heart of the controller: from a Rollout, what it owns, the time and (on a second call) the result of an
/// analysis interval, decides what must change. It does no I/O, so it is tested with tables and by deterministic
/// simulation (Tests/RolloutControllerTests/Simulation).
///
/// The state of a rollout lives in its status; the planner reads it, moves it forward and returns it. Applying the
/// same plan twice changes nothing the second time, so a controller killed at any instant resumes exactly where it
/// was. The invariants it keeps are listed in docs/controller.md ("What never happens").
public enum RolloutPlanner {
    public static func plan(_ input: PlanInput) -> Plan {
        var status = input.rollout.status ?? RolloutStatus()
        status.observedGeneration = input.rollout.metadata.generation
        let recorded = input.rollout.status?.workload
        switch RolloutResolver.resolve(input.rollout, defaults: input.defaults, workload: input.workload?.referenced(recorded: recorded)) {
        case .failure(let invalid):
            return InvalidSpecPlanning(input: input, invalid: invalid, status: status).plan()
        case .success(let effective):
            var planning = Planning(input: input, effective: effective, status: status)
            planning.run()
            var plan = planning.finish()
            plan.effective = effective
            return plan
        }
    }
}
