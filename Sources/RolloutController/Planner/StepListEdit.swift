/// How an edit of the step list moves the canary's cursor (pure).
///
/// The steps the canary passed count only where the new list begins with the same steps. The rule, with `p` the
/// length of the longest unchanged prefix and `i` the step the canary is at:
/// - `i < p`: the canary's step and every step before it are unchanged: keep everything;
/// - `i == p` and the new list has a step `i` and an analysis step from `i` on (or no analysis step at all):
///   the steps passed are unchanged but the current one changed: start it again;
/// - otherwise (a passed step changed, or nothing of the new list is left to walk or to analyse): start the new
///   list from its first step.
struct StepListEdit: Equatable {
    enum Resolution: Equatable { case keep, restartStep, restartList }

    let recorded: [String]
    let current: [String]
    let cursor: Int

    /// Steps at the start of both lists that are the same.
    var unchanged: Int {
        var p = 0
        while p < recorded.count, p < current.count, recorded[p] == current[p] { p += 1 }
        return p
    }

    var resolution: Resolution {
        let p = unchanged
        if cursor < p { return .keep }
        if cursor == p, cursor < current.count {
            let analyses = current.filter(Self.isAnalysis)
            if analyses.isEmpty || current[cursor...].contains(where: Self.isAnalysis) { return .restartStep }
        }
        return .restartList
    }

    static func isAnalysis(_ step: String) -> Bool { step.hasPrefix("analysis") }
}
