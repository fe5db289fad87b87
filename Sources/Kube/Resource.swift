import Foundation
import KubeJSON

/// A typed Kubernetes object the client can get, list, watch and write.
///
/// Conforming types keep the JSON they were decoded from (``originalJSON``) and, when encoded, lay the changes
/// made to their known fields over it, so fields this client does not model survive a read-modify-write.
public protocol Resource: Codable, Sendable {
    /// Where objects of this type live in the API.
    static var descriptor: ResourceDescriptor { get }
    var metadata: ObjectMeta { get set }
    /// The JSON this value was decoded from (nil for values built in code).
    var originalJSON: JSONValue? { get set }
    /// Encodes only the fields the type models (not apiVersion and kind, which come from ``descriptor``).
    func encodeKnownFields(to encoder: any Encoder) throws
}

extension Resource {
    public var apiVersion: String { Self.descriptor.apiVersion }
    public var kind: String { Self.descriptor.kind }
    public var name: String? { metadata.name }
    public var namespace: String? { metadata.namespace }
    public var resourceVersion: String? { metadata.resourceVersion }

    /// The object as JSON, unknown fields included.
    public func json() throws -> JSONValue {
        let current = try JSONValue(encoding: KnownFields(self))
        var result: JSONValue
        if let original = originalJSON {
            let baseline = try JSONValue(encoding: KnownFields(try original.decode(as: Self.self)))
            result = JSONValue.overlay(original: original, baseline: baseline, current: current)
        } else {
            result = current
        }
        result["apiVersion"] = .string(Self.descriptor.apiVersion)
        result["kind"] = .string(Self.descriptor.kind)
        return result
    }

    public func encode(to encoder: any Encoder) throws {
        try json().encode(to: encoder)
    }
}

/// Encodes a resource's known fields only.
private struct KnownFields<R: Resource>: Encodable {
    let resource: R
    init(_ resource: R) { self.resource = resource }
    func encode(to encoder: any Encoder) throws { try resource.encodeKnownFields(to: encoder) }
}

extension JSONValue {
    /// `original` with the differences between `baseline` (the known fields as decoded) and `current` (the known
    /// fields now) applied: object members merge key by key, lists of equal length element by element, anything
    /// else that changed is replaced. Unknown members of `original` survive unless their parent was replaced.
    public static func overlay(original: JSONValue, baseline: JSONValue, current: JSONValue) -> JSONValue {
        if baseline == current { return original }
        switch (original, baseline, current) {
        case (.object(var o), .object(let b), .object(let c)):
            for key in Set(b.keys).union(c.keys) {
                switch (b[key], c[key]) {
                case (nil, nil): break
                case (.some, nil): o[key] = nil
                case (nil, .some(let cv)): o[key] = cv
                case (.some(let bv), .some(let cv)): o[key] = overlay(original: o[key] ?? bv, baseline: bv, current: cv)
                }
            }
            return .object(o)
        case (.array(let o), .array(let b), .array(let c)) where o.count == b.count && b.count == c.count:
            return .array(zip(zip(o, b), c).map { overlay(original: $0.0, baseline: $0.1, current: $1) })
        default:
            return current
        }
    }
}

/// Decoding helper for resources: the known fields plus the whole document as ``Resource/originalJSON``.
extension KeyedDecodingContainer {
    func field<T: Decodable>(_ key: Key, default value: T) throws -> T { try decodeIfPresent(T.self, forKey: key) ?? value }
}

/// Any object as JSON, for custom resources and kinds without a Swift type. Its descriptor travels with it.
public struct DynamicObject: Sendable, Equatable, Codable {
    public var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    public init(from decoder: any Decoder) throws { json = try JSONValue(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    public var metadata: ObjectMeta {
        get { (try? (json["metadata"] ?? [:]).decode(as: ObjectMeta.self)) ?? ObjectMeta() }
        set {
            guard let encoded = try? JSONValue(encoding: newValue) else { return }
            json["metadata"] = JSONValue.overlay(original: json["metadata"] ?? [:],
                                                 baseline: (try? JSONValue(encoding: metadata)) ?? [:], current: encoded)
        }
    }

    public var name: String? { json["metadata"]?["name"]?.stringValue }
    public var namespace: String? { json["metadata"]?["namespace"]?.stringValue }
    public var resourceVersion: String? { json["metadata"]?["resourceVersion"]?.stringValue }

    public subscript(key: String) -> JSONValue? {
        get { json[key] }
        set { json[key] = newValue }
    }
}
