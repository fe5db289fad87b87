import KubeJSON

/// A resource shaped `metadata`, `spec`, `status` — most kinds. Conforming types declare their
/// fields and this memberwise initialiser; decoding (keeping ``Resource/originalJSON``) and
/// encoding of the known fields come from here.
public protocol SpecStatusResource: Resource {
    associatedtype Spec: Codable & Sendable & Equatable
    associatedtype Status: Codable & Sendable & Equatable
    var spec: Spec? { get set }
    var status: Status? { get set }
    init(metadata: ObjectMeta, spec: Spec?, status: Status?)
}

private enum SpecStatusKeys: String, CodingKey {
    case metadata, spec, status
}

extension SpecStatusResource {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SpecStatusKeys.self)
        self.init(
            metadata: try c.field(.metadata, default: ObjectMeta()),
            spec: try c.decodeIfPresent(Spec.self, forKey: .spec),
            status: try c.decodeIfPresent(Status.self, forKey: .status))
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SpecStatusKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(spec, forKey: .spec)
        try c.encodeIfPresent(status, forKey: .status)
    }
}
