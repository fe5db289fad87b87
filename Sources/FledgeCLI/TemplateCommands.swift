import ArgumentParser
import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// `kubectl fledge set image NAME CONTAINER=IMAGE…`, as `kubectl set image` does for a Deployment (which cannot
/// reach a custom resource). Writes `spec.template`: under GitOps, change the image in git instead.
public struct SetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change a Rollout's template.", subcommands: [SetImageCommand.self])
    public init() {}
}

/// `kubectl fledge set image NAME CONTAINER=IMAGE…` (`*=IMAGE` for every container).
public struct SetImageCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Set container images in a Rollout's template (a new canary).",
        discussion: """
            kubectl set image rollout/NAME does not work on a custom resource; this does the same. Containers and \
            init containers are matched by name; *=IMAGE sets every one. The write is one JSON patch guarded by the \
            resourceVersion read, so a concurrent change is never overwritten. Under GitOps, change the image in git.

            Exit status: 0 set (or already so), 1 failure (no such container, not found, forbidden, changed \
            meanwhile), 2 usage error.
            """
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @Argument(help: ArgumentHelp("CONTAINER=IMAGE pairs.", valueName: "container=image")) public var images: [String]
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one CONTAINER=IMAGE") }
        for pair in images where pair.split(separator: "=", maxSplits: 1).count != 2 || pair.hasPrefix("=") || pair.hasSuffix("=") {
            throw ValidationError("\"\(pair)\" is not CONTAINER=IMAGE")
        }
    }

    public func run() async throws {
        let wanted = images.map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }
        try await TemplateWrite(name: name, kube: kube).run { json, _ in
            var ops: [JSONValue] = []
            var named: Set<String> = []
            for list in ["initContainers", "containers"] {
                for (i, container) in (json[path: ["spec", "template", "spec", list]]?.arrayValue ?? []).enumerated() {
                    let containerName = container["name"]?.stringValue ?? ""
                    named.insert(containerName)
                    guard let image = wanted.last(where: { $0.0 == containerName || $0.0 == "*" })?.1 else { continue }
                    if container["image"]?.stringValue == image { continue }
                    ops.append(["op": "replace", "path": .string("/spec/template/spec/\(list)/\(i)/image"), "value": .string(image)])
                }
            }
            let missing = wanted.map(\.0).filter { $0 != "*" && !named.contains($0) }
            if !missing.isEmpty {
                throw CLIError.badInput("no container \(missing.map { "\"\($0)\"" }.joined(separator: ", ")) in rollout \"\(name)\"; "
                                        + "its containers: \(named.sorted().joined(separator: ", "))")
            }
            return (ops, "image updated: " + wanted.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        }
    }
}

/// `kubectl fledge undo NAME`: during a canary, the stable template back (the canary is dropped, no analysis);
/// with none in flight, the template promoted before the current one (a new canary, analysed like any change).
public struct UndoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Put back the stable template (during a canary) or the previously promoted one.",
        discussion: """
            During a canary: spec.template becomes the stable template, so the canary is dropped and stable keeps \
            serving. With no canary in flight: the template promoted before the current stable one (from \
            status.stableTemplates, which keeps the last 3) becomes a new canary, analysed like any change. \
            kubectl rollout undo does not work on a custom resource. Under GitOps, revert the commit instead.

            Exit status: 0 written, 1 failure (nothing recorded to go back to, not found, forbidden, changed \
            meanwhile), 2 usage error.
            """
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await TemplateWrite(name: name, kube: kube).run { json, rollout in
            let status = rollout.status
            let history = status?.stableTemplates ?? []
            let target: PromotedTemplate
            let effect: String
            if let canary = status?.canaryTemplateHash, canary != status?.stableTemplateHash {
                guard let stable = history.first(where: { $0.hash == status?.stableTemplateHash }) else {
                    throw CLIError.badInput("rollout \"\(name)\" has a canary in flight but its stable template is not recorded in status yet")
                }
                target = stable
                effect = "back to stable version \(stable.version): the canary \(status?.canaryVersion ?? "") is dropped"
            } else {
                guard history.count >= 2 else {
                    throw CLIError.badInput("rollout \"\(name)\" has no earlier promoted template recorded (status.stableTemplates)")
                }
                target = history[1]
                effect = "back to version \(target.version), promoted before \(history[0].version): a new canary, analysed like any change"
            }
            var ops: [JSONValue] = [["op": "replace", "path": "/spec/template", "value": target.template]]
            if json[path: ["spec", "version"]] != nil {
                ops.append(["op": "replace", "path": "/spec/version", "value": .string(target.version)])
            }
            return (ops, effect)
        }
    }
}

/// Reads a Rollout, asks `change` for JSON patch operations, and sends them behind a `test` of the resourceVersion
/// read: a Rollout changed meanwhile is never overwritten (exit 1, try again).
struct TemplateWrite {
    var name: String
    var kube: KubeOptions

    func run(_ change: (JSONValue, Rollout) throws -> (ops: [JSONValue], effect: String)) async throws {
        let console = Console.current
        try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            let (json, rollout) = try await reader.rollout(name)
            if let deployment = rollout.spec?.workloadRef?.name {
                // The template is the referenced Deployment's: writing one into the Rollout would make its spec invalid.
                throw CLIError.badInput("rollout \"\(name)\" runs the template of Deployment \"\(deployment)\" (spec.workloadRef): "
                                        + "change the Deployment instead (kubectl set image deployment/\(deployment) …, "
                                        + "kubectl rollout undo deployment/\(deployment)); Fledge makes the change a canary")
            }
            let (ops, effect) = try change(json, rollout)
            guard !ops.isEmpty else {
                console.print("rollout.fledge.dev/\(name) unchanged")
                return
            }
            let version = json[path: ["metadata", "resourceVersion"]] ?? .string("")
            let patch: [JSONValue] = [["op": "test", "path": "/metadata/resourceVersion", "value": version]] + ops
            do {
                let _: DynamicObject = try await session.client.patch(Rollout.descriptor, name: name, namespace: session.namespace, .json(patch))
            } catch KubeError.conflict, KubeError.invalid {
                throw CLIError.badInput("rollout \"\(name)\" changed while it was being written; nothing was changed, try again")
            } catch {
                throw APIErrorMessage.cliError(error, .rollout("patch", name, in: session.namespace), server: reader.server)
            }
            console.print("rollout.fledge.dev/\(name) \(effect)")
        }
    }
}
