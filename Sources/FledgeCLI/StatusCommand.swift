import ArgumentParser
import Foundation
import Kube
import RolloutAPI

/// `kubectl fledge status NAME [--timeout D] [--wait-paused]`: waits for the rollout of the current template to
/// finish, for pipelines. One line per change; the exit status is the verdict.
public struct StatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Wait for a Rollout's current template to be promoted or stopped; exit with the verdict (for CI).",
        discussion: """
            Prints one line whenever the rollout's state changes. Waits until the controller has seen the current \
            spec (status.observedGeneration), so it can be run right after kubectl apply.

            Exit status:
              0  promoted: the current template is stable and every step is done
              1  rolled back, aborted, or the spec is invalid (or the Rollout cannot be read)
              2  --timeout passed first (also: a usage error)
              3  held for a person (a pause step, spec.paused, an inconclusive analysis, missing metrics, a \
            contested route), at once unless --wait-paused

            kubectl rollout status does not work on a custom resource: use this instead.
            """
    )

    @Argument(help: "The Rollout's name.")
    public var name: String

    @Option(help: ArgumentHelp("Give up after this long (e.g. 10m). Default: wait as long as it takes.", valueName: "duration"))
    public var timeout: DurationArgument?

    @Flag(help: "Keep waiting while the rollout is held for a person (someone may promote, resume or abort it).")
    public var waitPaused = false

    @Option(help: ArgumentHelp("How often the Rollout is read.", valueName: "duration"))
    public var interval = DurationArgument(.seconds(2))

    @OptionGroup(title: "Cluster")
    public var kube: KubeOptions

    public init() {}

    /// The exit statuses, as the help lists them.
    enum Exit: Int32 {
        case promoted = 0, stopped = 1, timedOut = 2, held = 3
    }

    public func validate() throws {
        if interval.duration <= .zero { throw ValidationError("--interval must be positive") }
        if let timeout, timeout.duration <= .zero { throw ValidationError("--timeout must be positive") }
    }

    public func run() async throws {
        let console = Console.current
        let start = ContinuousClock.now
        let exit: Exit = try await kube.connect().run { session in
            let reader = RolloutReader(session: session)
            var last: String?
            while true {
                let (_, rollout) = try await reader.rollout(name)
                let verdict = RolloutVerdict(rollout)
                if verdict.line != last {
                    console.print(verdict.line)
                    last = verdict.line
                }
                switch verdict {
                case .promoted: return .promoted
                case .failed: return .stopped
                case .held where !waitPaused: return .held
                default: break
                }
                var pause = interval.duration
                if let timeout {
                    let left = timeout.duration - (ContinuousClock.now - start)
                    if left <= .zero {
                        console.printError("\(name): not finished after \(timeout)")
                        return .timedOut
                    }
                    pause = min(pause, left)
                }
                try await Task.sleep(for: pause)
            }
        }
        if exit != .promoted { throw ExitCode(exit.rawValue) }
    }
}
