import Foundation

/// Loads kubeconfig files the way kubectl does and turns a context into a ``ClientConfiguration``.
///
/// File choice: an explicit path; else `KUBECONFIG` (files separated by `:`, missing ones skipped, merged so that
/// the first file to set a name or the current-context wins); else `~/.kube/config`.
public enum Kubeconfig {
    /// The files to read, in merge order.
    public static func paths(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                             homeDirectory: String = NSHomeDirectory()) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        return [(homeDirectory as NSString).appendingPathComponent(".kube/config")]
    }

    /// Reads one file and resolves its relative paths against its directory.
    public static func read(path: String) throws -> KubeconfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeConfigError.fileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let directory = (URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return try KubeconfigFile(yaml: text).resolvingPaths(against: directory)
    }

    /// Reads and merges `paths`. With `skipMissing`, absent files are ignored (as for `KUBECONFIG`), but at least one must exist.
    public static func readMerged(paths: [String], skipMissing: Bool) throws -> KubeconfigFile {
        var files: [KubeconfigFile] = []
        for path in paths {
            if skipMissing, !FileManager.default.fileExists(atPath: path) { continue }
            files.append(try read(path: path))
        }
        if files.isEmpty { throw KubeConfigError.noConfiguration("none of \(paths.joined(separator: ", ")) exists") }
        return KubeconfigFile.merged(files)
    }

    /// Loads the configuration for `context` (or the current context) from the kubeconfig files kubectl would use.
    public static func load(path: String? = nil, context: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            homeDirectory: String = NSHomeDirectory()) throws -> ClientConfiguration {
        let files = paths(explicitPath: path, environment: environment, homeDirectory: homeDirectory)
        let merged = try readMerged(paths: files, skipMissing: path == nil)
        return try configuration(from: merged, context: context)
    }

    /// Resolves one context of an (already merged, path-resolved) kubeconfig.
    public static func configuration(from config: KubeconfigFile, context: String? = nil) throws -> ClientConfiguration {
        guard let contextName = context ?? config.currentContext, !contextName.isEmpty else {
            throw KubeConfigError.noCurrentContext
        }
        guard let ctx = config.contexts?.first(where: { $0.name == contextName })?.context else {
            throw KubeConfigError.contextNotFound(contextName)
        }
        guard let cluster = config.clusters?.first(where: { $0.name == ctx.cluster })?.cluster else {
            throw KubeConfigError.clusterNotFound(ctx.cluster)
        }
        var user = KubeconfigFile.User()
        if let userName = ctx.user, !userName.isEmpty {
            guard let u = config.users?.first(where: { $0.name == userName })?.user else {
                throw KubeConfigError.userNotFound(userName)
            }
            user = u
        }
        guard let serverText = cluster.server, let server = URL(string: serverText), server.host != nil else {
            throw KubeConfigError.invalidKubeconfig("cluster \"\(ctx.cluster)\" has no valid server URL")
        }

        var tls = TLSSettings(insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            tls.certificateAuthorityPEM = try decodeBase64(data, field: "certificate-authority-data")
        } else if let file = cluster.certificateAuthority, !file.isEmpty {
            tls.certificateAuthorityPEM = try readBytes(file)
        }
        if let data = user.clientCertificateData, !data.isEmpty {
            tls.clientCertificatePEM = try decodeBase64(data, field: "client-certificate-data")
        } else if let file = user.clientCertificate, !file.isEmpty {
            tls.clientCertificatePEM = try readBytes(file)
        }
        if let data = user.clientKeyData, !data.value.isEmpty {
            tls.clientKeyPEM = Secret(String(decoding: try decodeBase64(data.value, field: "client-key-data"), as: UTF8.self))
        } else if let file = user.clientKey, !file.isEmpty {
            tls.clientKeyPEM = Secret(String(decoding: try readBytes(file), as: UTF8.self))
        }
        if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
            throw KubeConfigError.invalidKubeconfig("user \"\(ctx.user ?? "")\" has a client certificate without a key, or a key without a certificate")
        }

        let authentication: Authentication
        if let token = user.token, !token.value.isEmpty {
            authentication = .bearerToken(token)
        } else if let file = user.tokenFile, !file.isEmpty {
            authentication = .tokenFile(path: file, refreshInterval: .seconds(60))
        } else if let name = user.username, let password = user.password {
            authentication = .basic(username: name, password: password)
        } else if let exec = user.exec {
            let version = exec.apiVersion ?? ""
            guard version.hasPrefix("client.authentication.k8s.io/") else {
                throw KubeConfigError.invalidKubeconfig("exec plugin apiVersion \"\(version)\" is not client.authentication.k8s.io/v1")
            }
            authentication = .exec(exec, clusterServer: serverText)
        } else {
            authentication = .none
        }
        let namespace = (ctx.namespace?.isEmpty == false ? ctx.namespace : nil) ?? "default"
        return ClientConfiguration(server: server, namespace: namespace, tls: tls, authentication: authentication)
    }

    static func decodeBase64(_ text: String, field: String) throws -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw KubeConfigError.invalidKubeconfig("\(field) is not valid base64")
        }
        return Array(data)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError.fileUnreadable(path: path, reason: "no such file or not readable")
        }
        return Array(data)
    }
}

extension ClientConfiguration {
    /// The configuration a controller or plugin should use: an explicit kubeconfig, else `KUBECONFIG` or
    /// `~/.kube/config` when present, else the pod's service account.
    public static func detect(kubeconfigPath: String? = nil, context: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              homeDirectory: String = NSHomeDirectory(),
                              serviceAccountDirectory: String = InClusterConfiguration.defaultDirectory) throws -> ClientConfiguration {
        if kubeconfigPath != nil || environment["KUBECONFIG"]?.isEmpty == false {
            return try Kubeconfig.load(path: kubeconfigPath, context: context, environment: environment)
        }
        let home = Kubeconfig.paths(explicitPath: nil, environment: environment, homeDirectory: homeDirectory)[0]
        if FileManager.default.fileExists(atPath: home) {
            return try Kubeconfig.load(context: context, environment: environment, homeDirectory: homeDirectory)
        }
        return try InClusterConfiguration.load(directory: serviceAccountDirectory, environment: environment)
    }
}
