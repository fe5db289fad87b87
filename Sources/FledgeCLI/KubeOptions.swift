import ArgumentParser
import Foundation
import Kube

/// The cluster options every command that talks to the API takes, as kubectl spells them:
/// `-n/--namespace`, `--context`, `--kubeconfig` (else `KUBECONFIG`, else `~/.kube/config`, else in-cluster).
public struct KubeOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp(
        "The namespace (default: the kubeconfig context's namespace, else 'default').", valueName: "namespace"))
    public var namespace: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use (default: its current-context).", valueName: "name"))
    public var context: String?

    @Option(help: ArgumentHelp("Path to the kubeconfig file (default: KUBECONFIG, else ~/.kube/config).", valueName: "file"))
    public var kubeconfig: String?

    public init() {}

    /// The flags kubectl users put before the subcommand (`kubectl fledge -n shop get rollout web`): each with
    /// whether it takes a value.
    static let hoistable: [String: Bool] = [
        "-n": true, "--namespace": true, "--context": true, "--kubeconfig": true, "-A": false, "--all-namespaces": false,
    ]

    /// Connects: loads the configuration (environment from ``Console/current``) and makes a client whose default
    /// namespace is `--namespace`, else the context's.
    func connect() throws -> KubeSession {
        var configuration: ClientConfiguration
        do {
            configuration = try ClientConfiguration.detect(
                kubeconfigPath: kubeconfig, context: context, environment: Console.current.environment)
        } catch let error as KubeConfigError {
            throw CLIError.badInput("\(error)")
        } catch {
            throw CLIError.badInput("cannot load the Kubernetes configuration: \(error)")
        }
        if let namespace, !namespace.isEmpty { configuration.namespace = namespace }
        if configuration.namespace.isEmpty { configuration.namespace = "default" }
        configuration.userAgent = "kubectl-fledge/\(FledgeVersion.plugin)"
        configuration.requestTimeout = .seconds(30)
        do {
            return KubeSession(client: try KubeClient(configuration: configuration), namespace: configuration.namespace)
        } catch {
            throw CLIError.badInput("cannot set up the Kubernetes client: \(error)")
        }
    }
}

/// A client and the namespace commands act in; shut it down when done (``run(_:)`` does).
struct KubeSession: Sendable {
    var client: KubeClient
    var namespace: String

    /// Runs `body`, then releases the client whatever happened.
    func run<T: Sendable>(_ body: (KubeSession) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

extension KubeOptions {
    /// `arguments` with the cluster flags that come before the subcommand moved to the end, where the
    /// subcommand's parser finds them: `-n shop get rollout web` → `get rollout web -n shop`.
    static func hoistLeadingFlags(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            let flag = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard let takesValue = hoistable[flag] else { break }
            leading.append(argument)
            if takesValue, !argument.contains("="), i + 1 < arguments.count {
                leading.append(arguments[i + 1])
                i += 1
            }
            i += 1
        }
        guard !leading.isEmpty, i < arguments.count else { return arguments }
        return Array(arguments[i...]) + leading
    }
}
