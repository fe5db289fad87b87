import ArgumentParser
import Foundation
import Kube
import KubeJSON
import RolloutAPI

/// The common run of `promote`, `abort` and `retry`: read the Rollout, refuse (exit 1) when the action does not
/// apply, else set `fledge.dev/action` to `<verb>:<fresh id>` and say what changed.
struct ActionRequest {
    var verb: RolloutAction.Verb
    var name: String
    var kube: KubeOptions

    func run() async throws {
        let console = Console.current
        try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            let (_, rollout) = try await reader.rollout(name)
            if let refusal = RolloutControl.refusal(verb, for: rollout) { throw CLIError.badInput(refusal) }
            let action = RolloutAction(verb: verb, id: ActionID.make())
            do {
                let _: DynamicObject = try await session.client.patch(
                    Rollout.descriptor, name: name, namespace: session.namespace, .merge(RolloutControl.actionPatch(action)))
            } catch {
                throw APIErrorMessage.cliError(error, .rollout("patch", name, in: session.namespace), server: reader.server)
            }
            console.print("rollout.fledge.dev/\(name) \(Self.pastTense(verb)) requested: \(FledgeNames.actionAnnotation)=\(action.annotationValue)")
            console.print("  \(RolloutControl.effect(of: verb, on: rollout))")
        }
    }

    static func pastTense(_ verb: RolloutAction.Verb) -> String {
        switch verb {
        case .promote: "promote"
        case .promoteFull: "full promotion"
        case .abort: "abort"
        case .retry: "retry"
        case .reanalyze: "reanalysis"
        }
    }
}

/// `kubectl fledge promote NAME [--full]`.
public struct PromoteCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Finish the current step of a canary (a pause, an analysis window, an inconclusive hold), or with --full skip every remaining step.",
        discussion: """
            Sets the annotation fledge.dev/action to promote:<id> (promote-full:<id> with --full) with a fresh id; \
            the controller acts on it once and records it in status.lastAction.

            Exit status: 0 requested, 1 failure (no canary in progress, the canary is stopped, not found, \
            forbidden), 2 usage error.
            """
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @Flag(help: "Skip every remaining step: the canary becomes stable now.") public var full = false
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await ActionRequest(verb: full ? .promoteFull : .promote, name: name, kube: kube).run()
    }
}

/// `kubectl fledge abort NAME`.
public struct AbortCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Stop the canary: it scales to 0, stable takes all traffic, phase Degraded.",
        discussion: """
            Sets fledge.dev/action to abort:<id>. Exit status: 0 requested, 1 failure (no canary in progress, \
            already stopped, not found, forbidden), 2 usage error.
            """
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await ActionRequest(verb: .abort, name: name, kube: kube).run()
    }
}

/// `kubectl fledge retry NAME`.
public struct RetryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Start an aborted or rolled-back canary again from its first step.",
        discussion: """
            Sets fledge.dev/action to retry:<id>. Exit status: 0 requested, 1 failure (no canary in progress, \
            the canary is not stopped, not found, forbidden), 2 usage error.
            """
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await ActionRequest(verb: .retry, name: name, kube: kube).run()
    }
}

/// The common run of `pause` and `resume`: a merge patch of `spec.paused`.
struct PauseRequest {
    var paused: Bool
    var name: String
    var kube: KubeOptions

    func run() async throws {
        let console = Console.current
        try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            let (_, before) = try await reader.rollout(name)
            do {
                let _: DynamicObject = try await session.client.patch(
                    Rollout.descriptor, name: name, namespace: session.namespace, .merge(RolloutControl.pausePatch(paused)))
            } catch {
                throw APIErrorMessage.cliError(error, .rollout("patch", name, in: session.namespace), server: reader.server)
            }
            let was = before.spec?.paused ?? false
            if !paused, was == paused, let hold = RolloutControl.heldAtStep(before) {
                // Not paused by spec.paused: held at its step. Resume means "look again on fresh data".
                let action = RolloutAction(verb: .reanalyze, id: ActionID.make())
                do {
                    let _: DynamicObject = try await session.client.patch(
                        Rollout.descriptor, name: name, namespace: session.namespace, .merge(RolloutControl.actionPatch(action)))
                } catch {
                    throw APIErrorMessage.cliError(error, .rollout("patch", name, in: session.namespace), server: reader.server)
                }
                console.print("rollout.fledge.dev/\(name) was held (\(hold.rawValue)), not paused: asked to reanalyze (\(action.annotationValue)); \(RolloutControl.effect(of: .reanalyze, on: before))")
                return
            }
            let note = was == paused ? " (it already was)" : ""
            console.print("rollout.fledge.dev/\(name) \(paused ? "paused" : "resumed"): spec.paused=\(paused)\(note)")
        }
    }
}

/// `kubectl fledge pause NAME`.
public struct PauseCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Hold the Rollout at its current split (sets spec.paused: true).",
        discussion: "Exit status: 0 done (also when already paused), 1 failure (not found, forbidden), 2 usage error."
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await PauseRequest(paused: true, name: name, kube: kube).run()
    }
}

/// `kubectl fledge resume NAME`.
public struct ResumeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let a paused Rollout go on (sets spec.paused: false; a Rollout held by an inconclusive window or a contested route runs the step's analysis again: reanalyze:<id>).",
        discussion: "Exit status: 0 done (also when not paused), 1 failure (not found, forbidden), 2 usage error."
    )

    @Argument(help: "The Rollout's name.") public var name: String
    @OptionGroup(title: "Cluster") public var kube: KubeOptions

    public init() {}

    public func run() async throws {
        try await PauseRequest(paused: false, name: name, kube: kube).run()
    }
}
