import Foundation
import KubeJSON
import RolloutAPI
import Testing

/// The Argo CD health check (`integrations/argocd/health.lua`) run by real Lua interpreters — 5.1, whose semantics
/// Argo CD evaluates health scripts with, and 5.4 — against recorded Rollouts for every phase and condition.
struct ArgoCDHealthTests {
    static let script = "integrations/argocd/health.lua"
    static let fixtures = "integrations/argocd/testdata/rollouts.json"

    /// One recorded Rollout and the health Argo CD must show for it.
    struct Case {
        var name: String
        var object: JSONValue
        var status: String
        var message: String
    }

    static func cases() throws -> [Case] {
        let all = try JSONValue(parsing: Data(readPackageFile(fixtures).utf8))
        return try (all.arrayValue ?? []).map { c in
            guard let name = c["name"]?.stringValue, let object = c["object"], let status = c["status"]?.stringValue,
                  let message = c["message"]?.stringValue else { throw FixtureError(description: "a case without name, object, status or message") }
            return Case(name: name, object: object, status: status, message: message)
        }
    }

    struct FixtureError: Error, CustomStringConvertible { var description: String }

    @Test(arguments: ["lua5.1", "lua5.4"])
    func everyRecordedRolloutGetsItsHealth(interpreter: String) throws {
        let cases = try Self.cases()
        let path = packageRoot.appendingPathComponent(Self.script).path
        // As Argo CD does: the script runs as a chunk with the global `obj` set, and returns `hs`.
        var driver = "local chunk = assert(loadfile(\(LuaLiteral.string(path))))\n"
        for c in cases {
            driver += "obj = \(LuaLiteral.value(c.object))\n"
            driver += "do local hs = chunk(); io.write(hs.status, \"\\t\", hs.message, \"\\n\") end\n"
        }
        let lines = try Self.run(interpreter, driver).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == cases.count, "one answer per case")
        for (c, line) in zip(cases, lines) {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            #expect(parts.first == c.status, "\(c.name) under \(interpreter): \(line)")
            #expect(parts.count == 2 && parts[1].contains(c.message), "\(c.name) under \(interpreter): \(line)")
        }
    }

    /// A new phase or condition type must get a recorded Rollout (and a mapping) before it ships.
    @Test func theRecordedRolloutsCoverEveryPhaseAndConditionType() throws {
        let cases = try Self.cases()
        let phases = Set(cases.compactMap { $0.object[path: ["status", "phase"]]?.stringValue })
        #expect(Set(RolloutPhase.allCases.map(\.rawValue)).subtracting(phases).isEmpty, "phases without a case")
        let conditions = Set(cases.flatMap { ($0.object[path: ["status", "conditions"]]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue } })
        #expect(Set(RolloutConditionType.allCases.map(\.rawValue)).subtracting(conditions).isEmpty, "condition types without a case")
        #expect(Set(cases.map(\.status)) == ["Healthy", "Progressing", "Suspended", "Degraded"])
        #expect(cases.contains { c in
            (c.object[path: ["status", "observedGeneration"]]?.intValue ?? 0) < (c.object[path: ["metadata", "generation"]]?.intValue ?? 0)
                && c.status == "Progressing"
        }, "a status older than the spec's generation is Progressing")
    }

    static func run(_ interpreter: String, _ program: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fledge-argocd-\(UUID().uuidString).lua")
        try program.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw FixtureError(description: "\(interpreter) cannot be run (hack/deps.sh installs it): \(error)")
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(description: "\(interpreter) failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// JSON values written as Lua table constructors, as Argo CD hands a resource to a health script (objects become
/// tables with string keys, arrays tables indexed from 1, null absent).
enum LuaLiteral {
    static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: "nil"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .string(let s): string(s)
        case .array(let items): "{" + items.map(value).joined(separator: ", ") + "}"
        case .object(let fields):
            "{" + fields.sorted { $0.key < $1.key }.filter { $0.value != .null }
                .map { "[\(string($0.key))] = \(value($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// A double-quoted Lua string: backslash, quote and every byte outside printable ASCII as a decimal escape.
    static func string(_ s: String) -> String {
        var out = "\""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\""): out += "\\\""
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\" + String(format: "%03d", byte)
            }
        }
        return out + "\""
    }
}
