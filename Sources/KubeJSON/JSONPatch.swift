import Foundation

/// Errors applying a patch, worded for a 422/409 response.
public enum PatchError: Error, Equatable, CustomStringConvertible {
    /// The patch document itself is malformed.
    case invalidPatch(String)
    /// A path does not exist in the target.
    case pathNotFound(String)
    /// A `test` operation failed.
    case testFailed(path: String)

    public var description: String {
        switch self {
        case .invalidPatch(let m): "invalid patch: \(m)"
        case .pathNotFound(let p): "the path \"\(p)\" does not exist"
        case .testFailed(let p): "testing value at \"\(p)\" failed"
        }
    }
}

extension JSONValue {
    /// Applies an RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var result = objectValue ?? [:]
        for (key, value) in p {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = (result[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(result)
    }

    /// The RFC 7386 merge patch that turns `self` into `target`.
    public func mergePatch(to target: JSONValue) -> JSONValue {
        guard case .object(let from) = self, case .object(let to) = target else { return target }
        var patch: [String: JSONValue] = [:]
        for (key, value) in to where from[key] != value {
            patch[key] = (from[key] ?? .null).mergePatch(to: value)
        }
        for key in from.keys where to[key] == nil { patch[key] = .null }
        return .object(patch)
    }

    /// Applies an RFC 6902 JSON patch (`add`, `remove`, `replace`, `move`, `copy`, `test`), atomically.
    public func applyingJSONPatch(_ patch: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let operations) = patch else { throw .invalidPatch("a JSON patch is an array of operations") }
        var doc = self
        for (i, op) in operations.enumerated() {
            guard let name = op["op"]?.stringValue else { throw .invalidPatch("operation \(i) has no \"op\"") }
            guard let path = op["path"]?.stringValue else { throw .invalidPatch("operation \(i) has no \"path\"") }
            let pointer = try JSONPointer(path)
            switch name {
            case "add":
                guard let value = op["value"] else { throw .invalidPatch("operation \(i) (add) has no \"value\"") }
                try doc.add(value, at: pointer)
            case "remove":
                _ = try doc.remove(at: pointer)
            case "replace":
                guard let value = op["value"] else { throw .invalidPatch("operation \(i) (replace) has no \"value\"") }
                _ = try doc.remove(at: pointer)
                try doc.add(value, at: pointer)
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw .invalidPatch("operation \(i) (\(name)) has no \"from\"") }
                let source = try JSONPointer(from)
                let value = name == "move" ? try doc.remove(at: source) : try doc.value(at: source)
                try doc.add(value, at: pointer)
            case "test":
                guard let value = op["value"] else { throw .invalidPatch("operation \(i) (test) has no \"value\"") }
                guard (try? doc.value(at: pointer)) == value else { throw .testFailed(path: path) }
            default:
                throw .invalidPatch("operation \(i) has unknown op \"\(name)\"")
            }
        }
        return doc
    }

    /// The value a JSON pointer names.
    public func value(at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw .pathNotFound(pointer.description) }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw .pathNotFound(pointer.description) }
                current = a[i]
            default:
                throw .pathNotFound(pointer.description)
            }
        }
        return current
    }

    private mutating func add(_ value: JSONValue, at pointer: JSONPointer) throws(PatchError) {
        guard let last = pointer.tokens.last else { self = value; return }
        try modifyParent(of: pointer) { (parent: inout JSONValue) throws(PatchError) in
            switch parent {
            case .object(var o):
                o[last] = value
                parent = .object(o)
            case .array(var a):
                if last == "-" { a.append(value) }
                else if let i = Int(last), i >= 0, i <= a.count { a.insert(value, at: i) }
                else { throw .pathNotFound(pointer.description) }
                parent = .array(a)
            default:
                throw .pathNotFound(pointer.description)
            }
        }
    }

    private mutating func remove(at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        guard let last = pointer.tokens.last else { throw .invalidPatch("cannot remove the whole document") }
        var removed = JSONValue.null
        try modifyParent(of: pointer) { (parent: inout JSONValue) throws(PatchError) in
            switch parent {
            case .object(var o):
                guard let v = o.removeValue(forKey: last) else { throw .pathNotFound(pointer.description) }
                removed = v
                parent = .object(o)
            case .array(var a):
                guard let i = Int(last), a.indices.contains(i) else { throw .pathNotFound(pointer.description) }
                removed = a.remove(at: i)
                parent = .array(a)
            default:
                throw .pathNotFound(pointer.description)
            }
        }
        return removed
    }

    private mutating func modifyParent(of pointer: JSONPointer, _ body: (inout JSONValue) throws(PatchError) -> Void) throws(PatchError) {
        try modify(tokens: pointer.tokens.dropLast()[...], pointer: pointer, body)
    }

    private mutating func modify(tokens: ArraySlice<String>, pointer: JSONPointer, _ body: (inout JSONValue) throws(PatchError) -> Void) throws(PatchError) {
        guard let first = tokens.first else { try body(&self); return }
        switch self {
        case .object(var o):
            guard var child = o[first] else { throw .pathNotFound(pointer.description) }
            try child.modify(tokens: tokens.dropFirst(), pointer: pointer, body)
            o[first] = child
            self = .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw .pathNotFound(pointer.description) }
            try a[i].modify(tokens: tokens.dropFirst(), pointer: pointer, body)
            self = .array(a)
        default:
            throw .pathNotFound(pointer.description)
        }
    }
}

/// An RFC 6901 JSON pointer such as `/spec/template/metadata/labels/app`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// Unescaped reference tokens.
    public let tokens: [String]

    public init(_ text: String) throws(PatchError) {
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else { throw .invalidPatch("a path must start with \"/\": \(text)") }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    public init(tokens: [String]) { self.tokens = tokens }

    public var description: String {
        tokens.isEmpty ? "" : "/" + tokens.map {
            $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined(separator: "/")
    }
}
