import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// Everything the human view of one Rollout shows, read at one moment.
struct RolloutSnapshot: Sendable {
    /// The object exactly as the API returned it (for `-o json|yaml`).
    var json: JSONValue
    var rollout: Rollout
    var stable: Deployment?
    var canary: Deployment?
    /// The Rollout's Events (empty when they cannot be read).
    var events: [Event]
}

/// Reads Rollouts and what belongs to them, turning API errors into messages that name the call.
struct RolloutReader: Sendable {
    var session: KubeSession

    var namespace: String { session.namespace }
    var server: String { session.client.configuration.server.absoluteString }

    /// The Rollout as JSON and decoded.
    func rollout(_ name: String) async throws -> (JSONValue, Rollout) {
        do {
            let object: DynamicObject = try await session.client.get(Rollout.descriptor, name: name, namespace: namespace)
            return (object.json, try object.json.decode(as: Rollout.self))
        } catch {
            throw APIErrorMessage.cliError(error, .rollout("get", name, in: namespace), server: server)
        }
    }

    /// The Rollouts of the namespace, or of all namespaces.
    func rollouts(allNamespaces: Bool) async throws -> [(JSONValue, Rollout)] {
        let ns = allNamespaces ? nil : namespace
        do {
            let list: ObjectList<DynamicObject> = try await session.client.listAll(Rollout.descriptor, namespace: ns)
            return try list.items.map { ($0.json, try $0.json.decode(as: Rollout.self)) }
        } catch {
            throw APIErrorMessage.cliError(error, .rollout("list", nil, in: ns), server: server)
        }
    }

    /// A Deployment, or nil when it does not exist.
    func deployment(_ name: String) async throws -> Deployment? {
        do {
            return try await session.client.get(Deployment.self, name: name, namespace: namespace)
        } catch KubeError.notFound {
            return nil
        } catch {
            throw APIErrorMessage.cliError(error, APICall(verb: "get", resource: "deployments.apps", name: name, namespace: namespace),
                                           server: server)
        }
    }

    /// The Events about the Rollout; none when they cannot be listed (they only add history).
    func events(about name: String) async -> [Event] {
        let options = ListOptions(fieldSelector: "involvedObject.kind=Rollout,involvedObject.name=\(name)")
        return (try? await session.client.listAll(Event.self, namespace: namespace, options: options).items) ?? []
    }

    /// The Rollout, its two Deployments and its Events.
    func snapshot(_ name: String) async throws -> RolloutSnapshot {
        let (json, rollout) = try await self.rollout(name)
        async let stable = deployment(FledgeNames.stableDeployment(name))
        async let canary = deployment(FledgeNames.canaryDeployment(name))
        async let events = events(about: name)
        return RolloutSnapshot(json: json, rollout: rollout, stable: try await stable, canary: try await canary,
                               events: await events)
    }
}
