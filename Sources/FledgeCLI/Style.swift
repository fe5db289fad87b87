import CanaryAnalysis

/// ANSI styling, or none when colour is off.
struct Style: Sendable {
    var enabled: Bool

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    func red(_ s: String) -> String { wrap(s, "1;31") }
    func green(_ s: String) -> String { wrap(s, "32") }
    func yellow(_ s: String) -> String { wrap(s, "33") }

    /// A verdict, coloured by what it means.
    func verdict(_ v: Verdict, _ text: String? = nil) -> String {
        let t = text ?? v.rawValue
        switch v {
        case .pass: return green(t)
        case .fail: return red(t)
        case .pending: return yellow(t)
        case .noData: return dim(t)
        }
    }

    /// A decision, coloured by what it means.
    func outcome(_ o: Decision.Outcome, _ text: String? = nil) -> String {
        let t = text ?? o.rawValue
        switch o {
        case .continue: return t
        case .promote: return green(t)
        case .rollback: return red(t)
        case .inconclusive: return yellow(t)
        }
    }
}
