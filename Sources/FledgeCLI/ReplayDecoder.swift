import KubeJSON
import CanaryAnalysis
import Foundation

/// Reads a replay file strictly: every line must be well formed, every key known, every count
/// consistent. The first problem is thrown as a ``ReplayError`` naming its line; nothing is skipped
/// except blank lines. See docs/replay-format.md.
public struct ReplayDecoder: Sendable {
    public init() {}

    /// Decodes a whole file: baseline lines, then canary lines.
    public func decode(_ text: String) throws(ReplayError) -> [ReplayLine] {
        var lines: [ReplayLine] = []
        var firstCanaryLine: Int?
        var lastInterval: [ReplayLine.Phase: (interval: Int, line: Int)] = [:]
        var bounds: (le: [Double], line: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let content = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty { continue }
            let line: ReplayLine
            let le: [Double]?
            do {
                (line, le) = try decodeLine(content, number: number)
            } catch let message as LineProblem {
                throw ReplayError(line: number, message.text)
            } catch {
                throw ReplayError(line: number, "\(error)")
            }
            switch line.phase {
            case .baseline:
                if let first = firstCanaryLine {
                    throw ReplayError(line: number, "a baseline line after a canary line (line \(first)); baseline lines come first")
                }
            case .canary:
                if firstCanaryLine == nil { firstCanaryLine = number }
            }
            if let previous = lastInterval[line.phase], line.interval <= previous.interval {
                throw ReplayError(line: number, "interval \(line.interval) does not follow interval \(previous.interval) (line \(previous.line)); intervals must increase")
            }
            lastInterval[line.phase] = (line.interval, number)
            if let le {
                if let b = bounds, b.le != le {
                    throw ReplayError(line: number, "latency bounds \(formatBounds(le)) differ from line \(b.line)'s \(formatBounds(b.le)); every line must use the same buckets")
                }
                if bounds == nil { bounds = (le, number) }
            }
            lines.append(line)
        }
        guard firstCanaryLine != nil else {
            throw ReplayError(line: nil, "no canary lines: nothing to analyse")
        }
        return lines
    }

    /// Decodes one non-blank line; returns it and its latency bounds, if it has histograms.
    func decodeLine(_ text: String, number: Int) throws -> (ReplayLine, [Double]?) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, duplicateKeys: .reject, maxDepth: 64)
        } catch {
            throw LineProblem("not valid JSON: \(error)")
        }
        let top = try object(value, "the line")
        try onlyKeys(top, ["interval", "phase", "tracks", "routes"], "")
        let interval = try integer(required(top, "interval", ""), "interval")
        let phaseName = try string(required(top, "phase", ""), "phase")
        guard let phase = ReplayLine.Phase(rawValue: phaseName) else {
            throw LineProblem("phase must be \"baseline\" or \"canary\", got \"\(phaseName)\"")
        }
        var histograms = HistogramShape()
        let tracks = try object(required(top, "tracks", ""), "tracks")
        let (stable, canary) = try trackPair(tracks, phase: phase, path: "tracks", histograms: &histograms)
        var routes: [String: ReplayLine.RouteLine] = [:]
        if let routesValue = top["routes"] {
            for (route, value) in try object(routesValue, "routes").sorted(by: { $0.key < $1.key }) {
                let path = "routes[\"\(route)\"]"
                guard !route.isEmpty else { throw LineProblem("routes: a route name is empty") }
                let (s, c) = try trackPair(try object(value, path), phase: phase, path: path, histograms: &histograms)
                routes[route] = ReplayLine.RouteLine(stable: s, canary: c)
            }
        }
        let line = ReplayLine(lineNumber: number, interval: interval, phase: phase, stable: stable, canary: canary, routes: routes)
        return (line, histograms.bounds?.le)
    }

    /// The stable and canary counts of `tracks` or of one route.
    private func trackPair(
        _ tracks: [String: JSONValue], phase: ReplayLine.Phase, path: String, histograms: inout HistogramShape
    ) throws -> (TrackCounts, TrackCounts?) {
        try onlyKeys(tracks, ["stable", "canary"], path)
        guard let stableValue = tracks["stable"] else { throw LineProblem("missing \(path).stable") }
        let stable = try trackCounts(stableValue, path: "\(path).stable", histograms: &histograms)
        switch phase {
        case .baseline:
            if tracks["canary"] != nil {
                throw LineProblem("a baseline line must not have a canary track (\(path).canary): baseline lines carry stable's traffic before the canary starts")
            }
            return (stable, nil)
        case .canary:
            guard let canaryValue = tracks["canary"] else { throw LineProblem("missing \(path).canary") }
            return (stable, try trackCounts(canaryValue, path: "\(path).canary", histograms: &histograms))
        }
    }

    /// One track's counts `{"requests": n, "errors": n, "latency": {...}}`.
    private func trackCounts(_ value: JSONValue, path: String, histograms: inout HistogramShape) throws -> TrackCounts {
        let fields = try object(value, path)
        try onlyKeys(fields, ["requests", "errors", "latency"], path)
        let requests = try count(required(fields, "requests", path), "\(path).requests")
        let errors = try count(required(fields, "errors", path), "\(path).errors")
        guard errors <= requests else {
            throw LineProblem("\(path): errors (\(errors)) exceed requests (\(requests))")
        }
        var histogram: LatencyHistogram?
        if let latencyValue = fields["latency"] {
            histogram = try latency(latencyValue, requests: requests, path: "\(path).latency")
        }
        try histograms.record(histogram?.bounds, path: path)
        let counts = TrackCounts(requests: requests, errors: errors, latency: histogram)
        do { try counts.validate() } catch { throw LineProblem("\(path): \(error.message)") }
        return counts
    }

    /// A histogram `{"le": [...], "counts": [...]}`.
    private func latency(_ value: JSONValue, requests: Int, path: String) throws -> LatencyHistogram {
        let fields = try object(value, path)
        try onlyKeys(fields, ["le", "counts"], path)
        let leValues = try array(required(fields, "le", path), "\(path).le")
        let countValues = try array(required(fields, "counts", path), "\(path).counts")
        guard !leValues.isEmpty else { throw LineProblem("\(path).le is empty") }
        guard leValues.count == countValues.count else {
            throw LineProblem("\(path): \(leValues.count) bounds in le but \(countValues.count) counts")
        }
        var bounds: [Double] = []
        for (i, v) in leValues.enumerated() {
            let bound = try bucketBound(v, "\(path).le[\(i)]")
            if bound == .infinity, i != leValues.count - 1 {
                throw LineProblem("\(path).le[\(i)]: only the last bound may be +Inf")
            }
            if let previous = bounds.last, bound <= previous {
                throw LineProblem("\(path).le: buckets are not ascending (\(formatBound(previous)) then \(formatBound(bound)))")
            }
            bounds.append(bound)
        }
        var counts: [Int] = []
        for (i, v) in countValues.enumerated() {
            let c = try count(v, "\(path).counts[\(i)]")
            if let previous = counts.last, c < previous {
                throw LineProblem("\(path).counts fall from \(previous) to \(c) at le=\(formatBound(bounds[i])); counts are cumulative and must not fall")
            }
            counts.append(c)
        }
        if bounds.last == .infinity, counts.last != requests {
            throw LineProblem("\(path): the +Inf count (\(counts.last ?? 0)) differs from requests (\(requests))")
        }
        if let last = counts.last, last > requests {
            throw LineProblem("\(path): bucket count \(last) exceeds requests (\(requests))")
        }
        return LatencyHistogram(bounds: bounds, counts: counts)
    }

    // MARK: - Typed access

    private func object(_ value: JSONValue, _ path: String) throws -> [String: JSONValue] {
        guard case .object(let o) = value else { throw LineProblem("\(path) must be an object, got \(value.kindForMessages)") }
        return o
    }

    private func array(_ value: JSONValue, _ path: String) throws -> [JSONValue] {
        guard case .array(let a) = value else { throw LineProblem("\(path) must be an array, got \(value.kindForMessages)") }
        return a
    }

    private func string(_ value: JSONValue, _ path: String) throws -> String {
        guard case .string(let s) = value else { throw LineProblem("\(path) must be a string, got \(value.kindForMessages)") }
        return s
    }

    private func integer(_ value: JSONValue, _ path: String) throws -> Int {
        switch value {
        case .number(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        case .number(let d): throw LineProblem("\(path) must be a whole number, got \(d)")
        default: throw LineProblem("\(path) must be a whole number, got \(value.kindForMessages)")
        }
    }

    /// A non-negative whole number.
    private func count(_ value: JSONValue, _ path: String) throws -> Int {
        let n = try integer(value, path)
        guard n >= 0 else { throw LineProblem("\(path) is negative (\(n))") }
        return n
    }

    /// A bucket bound: a non-negative number, as a number or a string, or "+Inf".
    private func bucketBound(_ value: JSONValue, _ path: String) throws -> Double {
        let bound: Double
        switch value {
        case .number(let d): bound = d
        case .string(let s):
            if s == "+Inf" || s == "Inf" { return .infinity }
            guard let d = Double(s), d.isFinite else {
                throw LineProblem("\(path) must be a number or \"+Inf\", got \"\(s)\"")
            }
            bound = d
        default: throw LineProblem("\(path) must be a number or \"+Inf\", got \(value.kindForMessages)")
        }
        guard bound.isFinite, bound >= 0 else { throw LineProblem("\(path) must not be negative, got \(bound)") }
        return bound
    }

    private func required(_ fields: [String: JSONValue], _ key: String, _ path: String) throws -> JSONValue {
        guard let v = fields[key] else { throw LineProblem("missing \(path.isEmpty ? key : "\(path).\(key)")") }
        return v
    }

    private func onlyKeys(_ fields: [String: JSONValue], _ allowed: Set<String>, _ path: String) throws {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            let where_ = path.isEmpty ? "" : " in \(path)"
            throw LineProblem("unknown key \"\(unknown)\"\(where_) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}

/// A problem on the line being decoded (the line number is added by the caller).
struct LineProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// Every histogram of one line must use the same bounds, and the line's tracks have histograms
/// all or none.
struct HistogramShape {
    var bounds: (le: [Double], path: String)?
    var withoutHistogram: String?

    mutating func record(_ le: [Double]?, path: String) throws {
        if let le {
            if let without = withoutHistogram {
                throw LineProblem("\(path) has a latency histogram but \(without) has none; give latency for every track of a line or for none")
            }
            if let b = bounds, b.le != le {
                throw LineProblem("\(path).latency.le \(formatBounds(le)) differs from \(b.path).latency.le \(formatBounds(b.le)); every track of a line must use the same buckets")
            }
            if bounds == nil { bounds = (le, path) }
        } else {
            if let b = bounds {
                throw LineProblem("\(b.path) has a latency histogram but \(path) has none; give latency for every track of a line or for none")
            }
            if withoutHistogram == nil { withoutHistogram = path }
        }
    }
}

func formatBound(_ b: Double) -> String {
    b == .infinity ? "+Inf" : formatNumber(b)
}

func formatBounds(_ le: [Double]) -> String {
    "[" + le.map(formatBound).joined(separator: ", ") + "]"
}
