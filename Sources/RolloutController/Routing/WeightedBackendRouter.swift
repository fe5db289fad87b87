import Kube
import KubeJSON
import RolloutAPI

// MARK: - Reading and writing a route through the API

/// A route could not be written: it changed between every read and write, however often that was retried.
public struct RouteWriteContention: Error, Sendable, CustomStringConvertible {
    public var route: RouteReference
    public var attempts: Int
    /// The server's answer to the last attempt.
    public var lastError: String

    public var description: String {
        "could not set the weights of \(route): it was changed by someone else before each of \(attempts) writes "
            + "(last answer: \(lastError)); the next reconcile tries again"
    }
}

/// What a kind of weighted route is: the resource, where the splits are, and what weights send a share to the canary.
struct WeightedRouteKind: Sendable {
    /// The kind of route object.
    var descriptor: ResourceDescriptor
    /// The splits Fledge manages in a route, or why the route cannot be used.
    var splits: @Sendable (_ route: JSONValue, _ target: RouteTarget) throws(UnusableRoute) -> [BackendSplit]
    /// The weights that send `percent` (0...100) of a split's traffic to the canary.
    var weights: @Sendable (_ percent: Int, _ split: BackendSplit) -> SplitWeights

    /// How many times a write is tried against a route others keep changing.
    static let writeAttempts = 5

    /// The guarded patch that sends `percent` to the canary, built from `route` as read (empty: nothing to write).
    func guardedPatch(sending percent: Int, in route: JSONValue, for target: RouteTarget) throws(UnusableRoute) -> [JSONValue] {
        let percent = min(max(percent, 0), 100)
        return WeightedBackends.patch(try splits(route, target)) { weights(percent, $0) }
    }

    /// What `route` sends to the canary.
    func observation(of route: JSONValue, for target: RouteTarget) -> RouteObservation {
        do {
            return .weights(RouteWeights(ranges: try splits(route, target).map(percents(of:))))
        } catch {
            return .unusable(error.message)
        }
    }

    /// The percents a split is at: those this kind writes exactly as the split's weights (with other destinations,
    /// Istio's pair shares what they leave of 100 and neighbouring percents can round to the same weights), else the
    /// canary's share of the pair (weights someone else wrote).
    func percents(of split: BackendSplit) -> ClosedRange<Int> {
        let stored = SplitWeights(stable: split.stable.weight, canary: split.canary.weight)
        let exact = (0...100).filter { weights($0, split) == stored }
        guard let low = exact.first, let high = exact.last else { return split.canaryPercent...split.canaryPercent }
        return low...high
    }
}

/// The router for every kind of route that lists weighted backends (HTTPRoute, VirtualService): it sets the weights
/// of the two Services' entries and nothing else; what differs between kinds is a ``WeightedRouteKind``.
/// Made by ``GatewayAPIRouter/router(client:fieldManager:)`` and ``IstioRouter/router(client:fieldManager:)``.
public struct WeightedRouteRouter: TrafficRouter {
    let client: KubeClient
    let fieldManager: String
    let kind: WeightedRouteKind

    public func read(_ target: RouteTarget) async throws -> RouteObservation {
        switch try await fetch(target) {
        case .observation(let observation): observation
        case .document(let route): kind.observation(of: route, for: target)
        }
    }

    /// Read, patch with guards, and on a conflict or a failed guard read again and rebuild the patch.
    public func setWeight(_ percent: Int, on target: RouteTarget) async throws -> RouteObservation {
        var refused: (patch: [JSONValue], error: KubeError)?
        var lastError = ""
        for _ in 0..<WeightedRouteKind.writeAttempts {
            let route: JSONValue
            switch try await fetch(target) {
            case .observation(let observation): return observation
            case .document(let document): route = document
            }
            // A 422 whose patch still applies to the route as it is now was not a stale guard: the server refuses
            // the weights themselves, and trying again would not change that.
            if let refused, (try? route.applyingJSONPatch(.array(refused.patch))) != nil { throw refused.error }
            refused = nil
            var patch: [JSONValue]
            do {
                patch = try kind.guardedPatch(sending: percent, in: route, for: target)
            } catch {
                return .unusable(error.message)
            }
            if patch.isEmpty { return kind.observation(of: route, for: target) }
            // The route as just read is a precondition the server enforces: a write from a deposed leader, or one
            // racing another writer, fails its test instead of landing on a route that changed.
            if let version = route[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty {
                patch.insert(["op": "test", "path": "/metadata/resourceVersion", "value": .string(version)], at: 0)
            }
            do {
                let updated: DynamicObject = try await client.patch(kind.descriptor, name: target.route.name,
                                                                    namespace: target.route.namespace, .json(patch),
                                                                    options: WriteOptions(fieldManager: fieldManager))
                return kind.observation(of: updated.json, for: target)
            } catch let error as KubeError {
                switch error {
                case .conflict:
                    lastError = error.description
                case .invalid:
                    refused = (patch, error)
                    lastError = error.description
                case .notFound:
                    return .notFound("\(target.route) not found")
                case .forbidden(let status):
                    return .unusable("not allowed to change \(target.route): \(status.message ?? "forbidden")")
                default:
                    throw error
                }
            }
        }
        throw RouteWriteContention(route: target.route, attempts: WeightedRouteKind.writeAttempts, lastError: lastError)
    }

    /// Everything to the stable Service; a missing or unusable route is left as it is.
    public func cleanUp(_ target: RouteTarget) async throws {
        _ = try await setWeight(0, on: target)
    }

    private func fetch(_ target: RouteTarget) async throws -> FetchedRoute {
        do {
            let route: DynamicObject = try await client.get(kind.descriptor, name: target.route.name,
                                                            namespace: target.route.namespace)
            return .document(route.json)
        } catch KubeError.notFound {
            return .observation(.notFound("\(target.route) not found"))
        } catch KubeError.forbidden(let status) {
            return .observation(.unusable("not allowed to read \(target.route): \(status.message ?? "forbidden")"))
        }
    }
}

/// The route as fetched: its document, or what to report instead.
private enum FetchedRoute {
    case document(JSONValue)
    case observation(RouteObservation)
}
