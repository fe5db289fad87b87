import Foundation
import Kube
import RolloutAPI

/// Sets conditions in the standard shape, keeping `lastTransitionTime` when the status does not change.
struct StatusConditions {
    var conditions: [Condition]
    let now: Date
    let generation: Int?

    mutating func set(_ type: RolloutConditionType, _ value: Bool?, reason: String, message: String) {
        let status = value.map { $0 ? "True" : "False" } ?? "Unknown"
        var c = Condition(type: type.rawValue, status: status, reason: reason, message: message,
                          lastTransitionTime: Timestamps.seconds(now), observedGeneration: generation)
        if let i = conditions.firstIndex(where: { $0.type == type.rawValue }) {
            if conditions[i].status == status { c.lastTransitionTime = conditions[i].lastTransitionTime ?? c.lastTransitionTime }
            conditions[i] = c
        } else {
            conditions.append(c)
        }
    }

    mutating func remove(_ type: RolloutConditionType) {
        conditions.removeAll { $0.type == type.rawValue }
    }
}
