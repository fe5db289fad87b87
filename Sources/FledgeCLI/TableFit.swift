/// Fits a table into a terminal's width: the middle columns give up characters, the widest first and down to
/// ``minimumWidth``; the first and the last column keep theirs (the name a reader looks for, and the verdict or age
/// at the end). A cut cell ends with `…`. Without a width (not a terminal) nothing is cut.
enum TableFit {
    /// The narrowest a middle column is cut to.
    static let minimumWidth = 5

    /// Column widths whose total, with `gap` spaces between columns, is at most `limit` when the middle columns can
    /// give up enough; the natural widths when `limit` is nil or they already fit.
    static func widths(_ natural: [Int], gap: Int = 2, limit: Int?) -> [Int] {
        guard let limit, natural.count > 2 else { return natural }
        var widths = natural
        var excess = widths.reduce(0, +) + gap * (widths.count - 1) - limit
        while excess > 0 {
            let middle = (1..<(widths.count - 1)).filter { widths[$0] > minimumWidth }
            guard let widest = middle.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
            excess -= 1
        }
        return widths
    }

    /// `cell` in at most `width` characters, ending with `…` when cut.
    static func cut(_ cell: String, to width: Int) -> String {
        cell.count <= width ? cell : String(cell.prefix(max(0, width - 1))) + "…"
    }
}
