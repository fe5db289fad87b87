import Kube
import KubeJSON
import RolloutAPI

// What the HTTPRoute and VirtualService routers share. Both edit a list of weighted backends wherever the route
// splits traffic between the Rollout's two Services; they differ only in where those lists are, how an entry names a
// Service and what an entry without a weight weighs.
//
// This file reads splits and builds the guarded JSON patch (no I/O); WeightedBackendRouter.swift drives it through
// the API: read, patch, and on a concurrent edit read again and rebuild.

// MARK: - Splits and the guarded patch (no I/O)

/// Which of a Rollout's two Services a backend entry sends to.
enum BackendRole: Sendable, Equatable {
    case stable, canary, other
}

/// Where one split lives in a route: the array of backend entries, and how to name it to a user.
struct SplitLocation: Sendable, Equatable {
    /// The array of backend entries, e.g. `/spec/rules/2/backendRefs`.
    var pointer: JSONPointer
    /// `rule 2`, `http route "primary"`.
    var label: String
}

/// How a kind of route writes its backend entries: how an entry is recognised, where its weight is, what the user
/// calls things (for error sentences).
struct BackendConvention {
    /// Whether an entry sends to the stable Service, the canary Service or elsewhere.
    var role: (JSONValue) -> BackendRole
    /// The member that identifies an entry (`["name"]`, `["destination", "host"]`): tested before its weight is written.
    var identity: [String]
    /// Other members that tell an entry apart (a backendRef's group, kind and namespace): tested too, when present.
    var qualifiers: [[String]] = []
    /// The member holding an entry's weight.
    var weightKey = "weight"
    /// The weight of an entry that has none, given how many entries its list has.
    var defaultWeight: (_ entries: Int) -> Int
    /// What the user calls an entry (`backendRef`, `destination`).
    var entryNoun: String
    /// What the user calls a split (`rule`, `http route`).
    var splitNoun: String
}

/// One of the two Services' entries in a split, as read.
struct BackendEntry: Sendable, Equatable {
    /// The identifying member (e.g. `/spec/rules/2/backendRefs/0/name`) and its value as the route holds it.
    var identityPointer: JSONPointer
    var identity: JSONValue
    /// The qualifying members the entry has, as read: tested before the identity.
    var qualifiers: [Guard] = []
    /// Where the weight is, and its value as written (nil when the entry has none).
    var weightPointer: JSONPointer
    var storedWeight: JSONValue?
    /// The weight in effect: the stored one, else the convention's default.
    var weight: Int
}

/// A place where the route splits traffic between the stable and the canary Service, as read.
struct BackendSplit: Sendable, Equatable {
    var location: SplitLocation
    var stable: BackendEntry
    var canary: BackendEntry
    /// The total weight of the list's other entries (backends Fledge leaves alone).
    var otherWeight: Int

    /// The canary's share of what the two Services receive, in whole percent.
    var canaryPercent: Int { WeightedBackends.percent(canary: canary.weight, stable: stable.weight) }
}

/// A member of an entry and its value as read, tested before a write.
struct Guard: Sendable, Equatable {
    var pointer: JSONPointer
    var value: JSONValue
}

/// The weights to give a split's two entries.
struct SplitWeights: Sendable, Equatable {
    var stable: Int
    var canary: Int
}

/// Why a route cannot be used, in a sentence that names the route, the split and the Service.
struct UnusableRoute: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Reading the splits of a route and writing weights into them, as pure functions of the route document.
enum WeightedBackends {
    /// `round(100 * canary / (canary + stable))`, halves rounded up; 0 when both are 0.
    static func percent(canary: Int, stable: Int) -> Int {
        let total = canary + stable
        guard total > 0 else { return 0 }
        return (200 * canary + total) / (2 * total)
    }

    /// The splits among `candidates` that name either Service, each naming both exactly once.
    ///
    /// - Parameter requireEach: every candidate must name the Services (the VirtualService routes a user listed);
    ///   otherwise candidates that name neither are skipped.
    /// - Throws: ``UnusableRoute`` when a split names one Service but not the other, names one twice, gives one a
    ///   weight that is not a whole number, or when no split names either.
    static func splits(in route: JSONValue, candidates: [SplitLocation], convention: BackendConvention,
                       target: RouteTarget, requireEach: Bool = false) throws(UnusableRoute) -> [BackendSplit] {
        var splits: [BackendSplit] = []
        for location in candidates {
            let entries = (try? route.value(at: location.pointer))?.arrayValue ?? []
            let roles = entries.map(convention.role)
            let stableIndices = roles.indices.filter { roles[$0] == .stable }
            let canaryIndices = roles.indices.filter { roles[$0] == .canary }
            let place = "\(location.label) of \(target.route)"
            switch (stableIndices.count, canaryIndices.count) {
            case (0, 0):
                if requireEach {
                    throw UnusableRoute("\(place) sends to neither Service \(target.stableService) nor Service "
                        + "\(target.canaryService): add a \(convention.entryNoun) for each to it")
                }
                continue
            case (_, 0), (0, _):
                let (present, missing) = stableIndices.isEmpty ? (target.canaryService, target.stableService)
                                                               : (target.stableService, target.canaryService)
                throw UnusableRoute("\(place) sends to Service \(present) but not to Service \(missing): "
                    + "add a \(convention.entryNoun) for \(missing) to it")
            case (1, 1):
                break
            default:
                let twice = stableIndices.count > 1 ? target.stableService : target.canaryService
                throw UnusableRoute("\(place) names Service \(twice) in more than one \(convention.entryNoun): "
                    + "keep one, as Fledge sets one weight per Service")
            }
            func entry(_ index: Int, service: String) throws(UnusableRoute) -> BackendEntry {
                let base = location.pointer.tokens + [String(index)]
                let stored = entries[index][convention.weightKey]
                var weight = convention.defaultWeight(entries.count)
                if let stored {
                    guard let whole = stored.intValue else {
                        throw UnusableRoute("\(place) gives Service \(service) the weight \(stored.jsonString): "
                            + "a weight must be a whole number")
                    }
                    weight = whole
                }
                let qualifiers = convention.qualifiers.compactMap { member in
                    entries[index][path: member].map { Guard(pointer: JSONPointer(tokens: base + member), value: $0) }
                }
                return BackendEntry(identityPointer: JSONPointer(tokens: base + convention.identity),
                                    identity: entries[index][path: convention.identity] ?? .null, qualifiers: qualifiers,
                                    weightPointer: JSONPointer(tokens: base + [convention.weightKey]),
                                    storedWeight: stored, weight: weight)
            }
            let stable = try entry(stableIndices[0], service: target.stableService)
            let canary = try entry(canaryIndices[0], service: target.canaryService)
            let otherWeight = roles.indices.filter { roles[$0] == .other }.reduce(0) { sum, i in
                sum + (entries[i][convention.weightKey]?.intValue ?? convention.defaultWeight(entries.count))
            }
            splits.append(BackendSplit(location: location, stable: stable, canary: canary, otherWeight: otherWeight))
        }
        if splits.isEmpty {
            throw UnusableRoute("\(target.route) has no \(convention.splitNoun) that sends to Service \(target.stableService) "
                + "or Service \(target.canaryService): add a \(convention.entryNoun) for each to the \(convention.splitNoun) "
                + "whose traffic the Rollout should split")
        }
        return splits
    }

    /// The RFC 6902 patch that gives every split the weights `wanted` returns for it, touching only the two
    /// Services' weights. Each write is guarded: the entry's identifying member is tested first, and so is its
    /// current weight when it has one, so a patch built from a stale read fails instead of writing the wrong
    /// entry. Splits already at their weights are left out; an empty patch means there is nothing to write.
    static func patch(_ splits: [BackendSplit], wanted: (BackendSplit) -> SplitWeights) -> [JSONValue] {
        var operations: [JSONValue] = []
        for split in splits {
            let weights = wanted(split)
            guard split.stable.weight != weights.stable || split.canary.weight != weights.canary else { continue }
            for (entry, weight) in [(split.stable, weights.stable), (split.canary, weights.canary)] {
                for q in entry.qualifiers {
                    operations.append(["op": "test", "path": .string(q.pointer.description), "value": q.value])
                }
                operations.append(["op": "test", "path": .string(entry.identityPointer.description), "value": entry.identity])
                let value = JSONValue.number(Double(weight))
                if let stored = entry.storedWeight {
                    operations.append(["op": "test", "path": .string(entry.weightPointer.description), "value": stored])
                    operations.append(["op": "replace", "path": .string(entry.weightPointer.description), "value": value])
                } else {
                    operations.append(["op": "add", "path": .string(entry.weightPointer.description), "value": value])
                }
            }
        }
        return operations
    }
}
