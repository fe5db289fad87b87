import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct EncodingTests {
    @Test func jsonWriterRoundTrips() throws {
        let value: JSONValue = ["s": "a\"b\\c\n\t\u{01}é/", "n": 3, "f": 0.5, "neg": -2, "b": true, "z": nil, "a": [1, "x", [:]], "o": ["k": []]]
        let parsed = try JSONValue(parsing: Data(JSONWriter.bytes(value)))
        #expect(parsed == value)
        #expect(String(decoding: JSONWriter.bytes(["p": "a/b"]), as: UTF8.self) == #"{"p":"a/b"}"#)
    }

    /// Length-delimited protobuf field.
    func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2)] + varint(payload.count) + payload }
    func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }
    func varintField(_ number: Int, _ v: Int) -> [UInt8] { [UInt8(number << 3)] + varint(v) }
    func varint(_ v: Int) -> [UInt8] {
        var v = UInt64(v), out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }

    @Test func protobufConfigMapDecodes() {
        let meta = field(1, "cm") + field(3, "") + field(11, field(1, "app") + field(2, "web"))
        let configMap = field(1, meta) + field(2, field(1, "k") + field(2, "v")) + field(2, field(1, "k2") + field(2, "v2"))
        let unknown = field(1, field(1, "v1") + field(2, "ConfigMap")) + field(2, configMap)
        let decoded = ProtobufDecoder.decode([0x6b, 0x38, 0x73, 0x00] + unknown)
        #expect(decoded == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm", "labels": ["app": "web"]],
                            "data": ["k": "v", "k2": "v2"]])
    }

    @Test func protobufDeploymentKeepsExplicitZeroReplicasAndIntOrString() {
        let rolling = field(2, field(1, varintField(1, 1) + field(3, "30%")) + field(2, varintField(1, 0) + varintField(2, 2)))
        let spec = varintField(1, 0) + field(4, field(1, "RollingUpdate") + rolling)
        let unknown = field(1, field(1, "apps/v1") + field(2, "Deployment")) + field(2, field(1, field(1, "d")) + field(2, spec))
        let decoded = ProtobufDecoder.decode([0x6b, 0x38, 0x73, 0x00] + unknown)
        #expect(decoded?[path: ["spec", "replicas"]] == 0)
        #expect(decoded?[path: ["spec", "strategy", "rollingUpdate"]] == ["maxUnavailable": "30%", "maxSurge": 2])
    }

    @Test func unknownKindsAndGarbageAreNotDecoded() {
        let unknown = field(1, field(1, "v1") + field(2, "Pod")) + field(2, field(1, field(1, "p")))
        #expect(ProtobufDecoder.decode([0x6b, 0x38, 0x73, 0x00] + unknown) == nil)
        #expect(ProtobufDecoder.decode([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff]) == nil)
        #expect(ProtobufDecoder.decode(Array("{}".utf8)) == nil)
    }
}
