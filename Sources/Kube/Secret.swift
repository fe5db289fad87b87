/// A credential (token, password, private key) that never shows itself in descriptions, logs, mirrors or errors.
///
/// `String(describing:)`, `String(reflecting:)`, `dump` and string interpolation all print `<redacted>`;
/// only ``value`` gives the secret, and only code that sends it to the server reads it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
