/// `users[].user.exec`: a credential plugin (`client.authentication.k8s.io/v1`) that prints an `ExecCredential`.
public struct ExecConfig: Codable, Sendable, Equatable {
    /// The plugin API version it speaks; only `client.authentication.k8s.io/v1` (and v1beta1, same shape) are accepted.
    public var apiVersion: String?
    /// The executable: an absolute path, a path relative to the kubeconfig's directory, or a name looked up on `PATH`.
    public var command: String
    public var args: [String]?
    /// Extra environment variables for the plugin. Values may be secrets, so descriptions leave them out.
    public var env: [EnvVar]?
    public var installHint: String?
    public var provideClusterInfo: Bool?
    public var interactiveMode: String?

    public init(apiVersion: String? = "client.authentication.k8s.io/v1", command: String, args: [String]? = nil,
                env: [EnvVar]? = nil, installHint: String? = nil, provideClusterInfo: Bool? = nil, interactiveMode: String? = nil) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }

    /// One `env` entry.
    public struct EnvVar: Codable, Sendable, Equatable {
        public var name: String
        public var value: Secret
        public init(name: String, value: String) {
            self.name = name
            self.value = Secret(value)
        }
    }
}
