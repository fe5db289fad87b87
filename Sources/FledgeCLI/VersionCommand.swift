import ArgumentParser
import Foundation
import Kube

/// `kubectl fledge version`: the plugin's version and, when the cluster can be asked, the controller's: the image
/// tag of the Deployment `fledge-controller` (in `fledge-system`, or `-n`), as manifests/ install it.
public struct VersionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the plugin's version and, when reachable, the controller's.",
        discussion: """
            The controller's version is read from the Deployment fledge-controller in fledge-system (or -n): its \
            app.kubernetes.io/version label, else its container's image tag. Anything that stops that (no \
            kubeconfig, unreachable, not installed, forbidden) is reported on the controller line; the exit \
            status stays 0.
            """
    )

    @Flag(help: "Only the plugin's version; do not contact the cluster.")
    public var client = false

    @OptionGroup(title: "Cluster")
    public var kube: KubeOptions

    public init() {}

    public static let controllerDeployment = "fledge-controller"
    public static let controllerNamespace = "fledge-system"

    public func run() async throws {
        let console = Console.current
        console.print("kubectl-fledge \(FledgeVersion.plugin)")
        if client { return }
        console.print("controller: \(await controllerVersion())")
    }

    /// `0.1.0 (deployment fledge-system/fledge-controller, image …, 2/2 available)` or why it is not known.
    func controllerVersion() async -> String {
        var options = kube
        if options.namespace == nil { options.namespace = Self.controllerNamespace }
        let session: KubeSession
        do {
            session = try options.connect()
        } catch let error as CLIError {
            return "unknown (\(error.message))"
        } catch {
            return "unknown (\(error))"
        }
        do {
            return try await session.run { session in
                let deployment = try await session.client.get(Deployment.self, name: Self.controllerDeployment, namespace: session.namespace)
                return Self.describe(deployment, namespace: session.namespace)
            }
        } catch KubeError.notFound {
            return "not found (no deployment \(Self.controllerDeployment) in namespace \(options.namespace ?? ""))"
        } catch {
            let call = APICall(verb: "get", resource: "deployments.apps", name: Self.controllerDeployment, namespace: options.namespace)
            return "unknown (\(APIErrorMessage.message(error, call, server: session.client.configuration.server.absoluteString)))"
        }
    }

    static func describe(_ deployment: Deployment, namespace: String) -> String {
        let image = deployment.spec?.template?.spec?.containers.first?.image
        let label = deployment.metadata.labels?["app.kubernetes.io/version"]
        let version = label ?? image.flatMap(imageTag) ?? "unknown"
        var details = ["deployment \(namespace)/\(deployment.metadata.name ?? "")"]
        if let image { details.append("image \(image)") }
        details.append("\(deployment.status?.availableReplicas ?? 0)/\(deployment.spec?.replicas ?? 1) available")
        return "\(version) (\(details.joined(separator: ", ")))"
    }

    /// `ghcr.io/fledge-dev/fledge-controller:0.1.0` → `0.1.0`; nil without a tag (or with only a digest).
    static func imageTag(_ image: String) -> String? {
        let name = image.split(separator: "@").first.map(String.init) ?? image
        guard let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") else { return nil }
        return String(name[name.index(after: colon)...])
    }
}

/// `kubectl fledge completion bash|zsh|fish`: the shell completion script (for the `kubectl-fledge` command).
public struct CompletionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script for kubectl-fledge (bash, zsh or fish).",
        discussion: """
            bash:  source <(kubectl-fledge completion bash)
            zsh:   kubectl-fledge completion zsh > "${fpath[1]}/_kubectl-fledge"
            fish:  kubectl-fledge completion fish > ~/.config/fish/completions/kubectl-fledge.fish
            """
    )

    /// The shells ArgumentParser writes scripts for.
    public enum Shell: String, ExpressibleByArgument, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    public var shell: Shell

    public init() {}

    public func run() throws {
        let script = FledgeCommand.completionScript(for: CompletionShell(rawValue: shell.rawValue)!)
        Console.current.write(script.hasSuffix("\n") ? script : script + "\n", .standardOutput)
    }
}
