import Foundation
import Kube
import RolloutAPI

/// The planner with a router: traffic follows the route's weights, not the replica ratio.
///
/// Order is everything: the canary is scaled up before the route sends it more; the route sends it less before
/// it is scaled down; after promotion, stable runs the new template and is available before the route returns
/// everything to it. Each "before" is decided from what the previous reconcile wrote and this one observed, so a
/// controller killed between two writes resumes in order.
extension Planning {
    /// A router splits the traffic.
    var routed: Bool { e.routing.route != nil }

    /// The canary's share the route sends now (0 when the route is gone; nil when unknown, or without a router).
    var routeShare: Int? { input.route?.canaryShare }

    /// The route sends the canary nothing (always true without a router).
    var routeReleased: Bool { !routed || routeShare == 0 }

    /// The canary weight the route carries once this plan is applied (nil: unknown).
    var routeAfter: Int? {
        switch input.route {
        case .weights(let w)?: plan.routeWeight ?? w.highest
        case .notFound?: 0
        case .unusable?, nil: nil
        }
    }

    /// Canary pods for a share of the traffic: ceil(weight × replicas), at least 1 while the share is above 0.
    func canaryReplicas(forShare share: Int) -> Int {
        guard share > 0, e.replicas > 0 else { return 0 }
        if share >= 100 { return e.replicas }
        return max(1, Int((Double(e.replicas) * Double(share) / 100).rounded(.up)))
    }

    /// The canary's current size, if it runs this template.
    var currentCanaryReplicas: Int {
        input.canary?.templateHash == e.templateHash ? (input.canary?.specReplicas ?? 0) : 0
    }

    /// Stable keeps every replica until promotion; the canary is sized for the larger of the step's weight and
    /// what the route sends it now (kept as it is while the route cannot be read).
    var routedSplit: ReplicaSplit {
        let forRoute = routeShare.map { canaryReplicas(forShare: $0) } ?? currentCanaryReplicas
        return ReplicaSplit(canary: max(canaryReplicas(forShare: weight), forRoute), stable: e.replicas)
    }

    /// The canary's pods for the weight are available.
    var canaryReadyForWeight: Bool {
        let needed = canaryReplicas(forShare: weight)
        guard needed > 0 else { return true }
        guard let canary = input.canary, canary.observedGeneration >= canary.generation else { return false }
        return canary.available(running: e.templateHash) >= needed
    }

    /// The canary is sized and available, stable serves, and the route was read carrying the weight (so every
    /// weight is set on the route, and seen there, before the step counts as done).
    var routedSplitSettled: Bool {
        let sized = (input.canary?.specReplicas ?? 0) == routedSplit.canary
        let stableServes = (input.stable?.availableReplicas ?? 0) >= 1
        return canaryReadyForWeight && sized && stableServes && input.route?.weights?.isAt(weight) == true
    }

    /// Sizes the canary, keeps stable whole, and moves the route to the weight only once the canary can take it
    /// (down at once: less traffic never needs to wait). The route never carries more than the available canary
    /// pods can serve: `weight × available ÷ wanted` (0 with none available), restored when they return. While the
    /// route is contested it is not written at all.
    mutating func holdRoutedSplit() {
        plan.deployments.append(DeploymentIntent(track: .canary, replicas: routedSplit.canary, run: template(.canary)))
        plan.deployments.append(stableIntent(replicas: e.replicas))
        if progress.hold == HoldReason.routeContested.rawValue { return }
        // An earlier step of this same pass may already have moved it: start from there.
        plan.routeWeight = canaryReadyForWeight ? weight : min(weight, routeAfter ?? 0, capacityShare(for: weight))
        // Nothing watches the route: look again soon to see the weight just written, or the next move.
        if let written = plan.routeWeight, input.route?.weights?.isAt(written) == false {
            plan.wake(after: .milliseconds(200))
        } else if routeAfter != weight || (input.canary?.specReplicas ?? 0) != routedSplit.canary {
            plan.wake(after: .seconds(1))
        }
    }

    /// Whatever the step decided, a canary in flight never gets more of the route than its available pods serve
    /// (a stable that vanished, a canary replaced by a newer template, pods lost at any step). Not while the route
    /// is contested (it is not written then) or cannot be read.
    mutating func clampRouteToCapacity() {
        guard routed, status.canaryTemplateHash != nil, !completed, progress.hold != HoldReason.routeContested.rawValue,
              input.route?.weights != nil else { return }
        let target = plan.routeWeight ?? routeShare ?? 0
        guard target > 0 else { return }
        let capacity = capacityShare(for: target)
        if capacity < target { plan.routeWeight = capacity }
    }

    /// The share of traffic the available canary pods carry for a route at `share`: `share × available ÷ wanted`
    /// (0 when the canary Deployment is gone or belongs to another template). Capacity counts every available pod
    /// of the canary Deployment, as the Service's endpoints do: a scale just written, or a rolling update, leaves
    /// the pods that serve now serving.
    func capacityShare(for share: Int) -> Int {
        let wanted = canaryReplicas(forShare: share)
        guard wanted > 0, let canary = input.canary, canary.templateHash == e.templateHash else { return 0 }
        let available = canary.availableReplicas
        return available >= wanted ? share : share * available / wanted
    }

    /// Stable at full size (on the stable template), the route to 0; the canary scaled to 0 once the route sends it
    /// nothing and stable has an available pod of its own (a rolled-back canary goes at once; one whose stable
    /// vanished keeps serving until stable is back), so traffic never rests on pods that are gone.
    mutating func retreat() {
        plan.deployments.append(stableIntent(replicas: e.replicas))
        if routed {
            plan.routeWeight = 0
            if routeShare != 0 {
                plan.wake(after: .seconds(routeShare == nil ? 10 : 1))
                return
            }
        }
        if stableServes(1) || (input.canary?.specReplicas ?? 0) == 0 {
            plan.deployments.append(.scale(.canary, to: 0))
        } else {
            plan.wake(after: .seconds(1))
        }
    }

    /// No canary in flight: the route sends everything to stable, but only once stable can serve it, unless the
    /// canary cannot either (a first deploy, a canary with no available pod).
    mutating func releaseRouteToStable(stableBack: Bool) {
        let canaryServes = (input.canary?.availableReplicas ?? 0) > 0 && (input.canary?.specReplicas ?? 0) > 0
        if stableBack || !canaryServes { plan.routeWeight = 0 }
    }

    /// The route cannot be used: hold everything where it is (no step moves, no analysis interval spans the
    /// outage) and look again. The condition and Event are set by `reportRoute`.
    mutating func holdForRoute(_ problem: String) {
        plan.deployments.append(DeploymentIntent(track: .canary, replicas: routedSplit.canary, run: template(.canary)))
        plan.deployments.append(stableIntent(replicas: e.replicas))
        progress.analysis?.lastIntervalEnd = nil
        phase = .degraded
        failure = "RouteUnavailable"
        message = "\(stepLabel) held at weight \(weight)%: \(problem)"
        plan.wake(after: .seconds(10))
    }

    /// After the last step: the route returns to stable only once stable runs the new template and is available;
    /// the canary keeps its pods for the route's share until then. True when the promotion may complete.
    mutating func releaseRouteAfterPromotion(stableSettled: Bool) -> Bool {
        let keep = routeShare.map { canaryReplicas(forShare: $0) } ?? currentCanaryReplicas
        guard stableSettled else {
            plan.deployments.append(.scale(.canary, to: keep))
            // The canary carries the route's share until stable is ready; never more than its available pods serve.
            if let share = routeShare, share > 0, capacityShare(for: share) < share { plan.routeWeight = capacityShare(for: share) }
            return true
        }
        plan.routeWeight = 0
        if routeShare == 0 { return true }
        plan.deployments.append(.scale(.canary, to: keep))
        phase = .progressing
        message = input.route?.problem.map { "promoting \(e.version): stable is ready but the route cannot be used: \($0)" }
            ?? "promoting \(e.version): stable is ready; sending all traffic back to \(FledgeNames.stableService(name))"
        plan.wake(after: .seconds(routeShare == nil ? 10 : 1))
        return false
    }

    /// The TrafficRouted condition, and Events when the route stops being usable or was changed by someone else.
    mutating func reportRoute(_ c: inout StatusConditions) {
        guard let route = e.routing.route, let observed = input.route else {
            c.remove(.trafficRouted)
            return
        }
        let before = old.condition(.trafficRouted)
        if let problem = observed.problem {
            let reason = if case .notFound = observed { "RouteNotFound" } else { "RouteUnusable" }
            c.set(.trafficRouted, false, reason: reason, message: problem)
            // One Event per new problem (a route that vanished between the read and the write was already reported).
            if before?.status != "False" || (before?.message != problem && before?.reason != "RouteWriteFailed") {
                plan.events.append(PlannedEvent(.warning, "TrafficRoutingFailed", problem))
            }
            return
        }
        if progress.hold == HoldReason.routeContested.rawValue, status.canaryTemplateHash != nil, !completed {
            c.set(.trafficRouted, false, reason: HoldReason.routeContested.rawValue, message: contestedMessage)
            return
        }
        let share = routeAfter ?? 0
        c.set(.trafficRouted, true, reason: "WeightsSet",
              message: "\(route) sends \(share)% to \(FledgeNames.canaryService(name)) and the rest to \(FledgeNames.stableService(name))")
    }

    /// Drift: the route is not where this controller left it, nor where it was going (never after a switch of
    /// route, nor when the route holds what this controller itself last wrote). Each correction is counted at the
    /// step; past ``Planning/contestedAfter`` the route is contested and the canary held with one Event, instead of
    /// a fight that never settles. Drift never restarts the progress deadline or the warm-up.
    mutating func noticeDrift() {
        guard let route = e.routing.route, let observed = input.route, let weights = observed.weights else { return }
        let before = old.condition(.trafficRouted)
        let sameRoute = old.trafficRoute?.reference == route
        let ownWrite = input.routeLastWritten.map { weights.isAt($0) } ?? false
        guard before?.status == "True", sameRoute, !ownWrite, let last = old.actualCanaryWeight.map({ Int($0.rounded()) }),
              !weights.isAt(last), !weights.isAt(weight) else { return }
        drifted = true
        progress.analysis?.lastIntervalEnd = nil
        let count = (progress.driftCorrections ?? 0) + 1
        progress.driftCorrections = count
        var found = weights.canary.isEmpty ? "an unreadable weight" : weights.canary.map { "\($0)%" }.joined(separator: ", ")
        if weights.stale { found += " from an object that was edited or is out of date" }
        if count >= Planning.contestedAfter, progress.hold == nil {
            progress.hold = HoldReason.routeContested.rawValue
            plan.events.append(PlannedEvent(.warning, HoldReason.routeContested.rawValue, "\(contestedMessage) (it sent \(found) to the canary where \(last)% was set)"))
        } else if progress.hold == nil {
            plan.events.append(PlannedEvent(.warning, "TrafficDrift",
                                            "\(route) was changed outside Fledge: it sent \(found) to the canary where \(last)% was set; set back to \(weight)% (\(count) of \(Planning.contestedAfter) before the route counts as contested)"))
        }
    }

    /// What a contested route means and how to end it.
    var contestedMessage: String {
        let route = e.routing.route.map(\.description) ?? "the route"
        return "\(route) keeps being set back by another writer (\(progress.driftCorrections ?? Planning.contestedAfter) corrections at this step); Fledge holds the canary and stops writing the route. Make the other tool ignore the weights (Argo CD: ignoreDifferences on the route's weight fields; Flux: a drift ignore rule for those fields in the Kustomization, or leave the weights out of the manifest in git), then run `kubectl fledge resume \(name)`"
    }
}
