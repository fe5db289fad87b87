/// A `host:port` address to bind a server to, parsed from an option such as `--metrics-bind-address`.
///
/// Accepted forms: `127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`, `:8080` (all interfaces, `0.0.0.0`).
/// Port `0` asks the kernel for a free port; the bound port is then reported by ``OperationsServer/listening()``.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address (without brackets for IPv6).
    public var host: String
    /// The TCP port, `0` for any free port.
    public var port: Int

    /// Creates an address from parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; throws ``ListenAddressError`` on anything else.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingSpaces()
        guard let colon = trimmed.lastIndex(of: ":") else { throw ListenAddressError(text: text, problem: "missing ':port'") }
        var host = String(trimmed[..<colon])
        let portText = trimmed[trimmed.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), port <= 65_535 else {
            throw ListenAddressError(text: text, problem: "port must be a number from 0 to 65535")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                throw ListenAddressError(text: text, problem: "unterminated IPv6 address")
            }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw ListenAddressError(text: text, problem: "IPv6 addresses must be written in brackets, e.g. [::1]:8080")
        }
        if host.isEmpty { host = "0.0.0.0" }
        self.init(host: host, port: port)
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// An unparseable ``ListenAddress``.
public struct ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text given.
    public var text: String
    /// What is wrong with it.
    public var problem: String

    /// A one-line message.
    public var description: String { "invalid listen address '\(text)': \(problem)" }
}

/// Where a server actually listens, once bound.
public struct ListeningAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bound IP address as reported by the socket.
    public var host: String
    /// The bound port (the kernel's choice when port 0 was requested).
    public var port: Int

    /// Creates a bound address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `http://host:port`, for clients; an unspecified bind address (`0.0.0.0`, `::`) is reported as loopback.
    public var url: String {
        let reachable = switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        default: host
        }
        return reachable.contains(":") ? "http://[\(reachable)]:\(port)" : "http://\(reachable):\(port)"
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self[...]
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
