/// How log lines look: ``json`` (one object per line, the default in a cluster) or ``text`` (for terminals).
public enum LogFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// One JSON object per line; see ``JSONLogHandler``.
    case json
    /// Human-readable lines; see ``TextLogHandler``.
    case text

    /// The format's name, as accepted by `init(rawValue:)`.
    public var description: String { rawValue }
}
