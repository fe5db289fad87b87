import Foundation
import KubeJSON

/// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) of the few built-in kinds
/// that kubectl's typed clients send as protobuf (`kubectl create namespace|configmap|secret|serviceaccount|deployment|service|role|clusterrole|rolebinding|clusterrolebinding`).
///
/// The wire format is the `k8s\0` magic, then a `runtime.Unknown` {typeMeta{apiVersion, kind}, raw}, where raw
/// is the generated message. Field numbers come from the upstream `generated.proto` files, kept here as data.
enum ProtobufDecoder {
    indirect enum FieldType: Sendable {
        case string, bytes, int64, bool
        case message(Schema)
        /// `intstr.IntOrString` {type, intVal, strVal}.
        case intOrString
        /// `resource.Quantity` {string}.
        case quantity
        case stringMap, bytesMap, quantityMap
        case time
    }
    struct Field: Sendable {
        let name: String
        let type: FieldType
        let repeated: Bool
        init(_ name: String, _ type: FieldType, repeated: Bool = false) {
            self.name = name
            self.type = type
            self.repeated = repeated
        }
    }
    typealias Schema = [Int: Field]

    static let ownerReference: Schema = [
        5: Field("apiVersion", .string), 1: Field("kind", .string), 3: Field("name", .string), 4: Field("uid", .string),
        6: Field("controller", .bool), 7: Field("blockOwnerDeletion", .bool),
    ]
    static let objectMeta: Schema = [
        1: Field("name", .string), 2: Field("generateName", .string), 3: Field("namespace", .string),
        5: Field("uid", .string), 6: Field("resourceVersion", .string), 7: Field("generation", .int64),
        8: Field("creationTimestamp", .time), 9: Field("deletionTimestamp", .time), 10: Field("deletionGracePeriodSeconds", .int64),
        11: Field("labels", .stringMap), 12: Field("annotations", .stringMap),
        13: Field("ownerReferences", .message(ownerReference), repeated: true), 14: Field("finalizers", .string, repeated: true),
    ]
    static let localObjectReference: Schema = [1: Field("name", .string)]
    static let objectReference: Schema = [1: Field("kind", .string), 2: Field("namespace", .string), 3: Field("name", .string),
                                          4: Field("uid", .string), 5: Field("apiVersion", .string)]

    static let labelSelector: Schema = [
        1: Field("matchLabels", .stringMap),
        2: Field("matchExpressions", .message([1: Field("key", .string), 2: Field("operator", .string), 3: Field("values", .string, repeated: true)]), repeated: true),
    ]
    static let resources: Schema = [1: Field("limits", .quantityMap), 2: Field("requests", .quantityMap)]
    static let container: Schema = [
        1: Field("name", .string), 2: Field("image", .string), 3: Field("command", .string, repeated: true),
        4: Field("args", .string, repeated: true), 5: Field("workingDir", .string),
        6: Field("ports", .message([1: Field("name", .string), 2: Field("hostPort", .int64), 3: Field("containerPort", .int64),
                                     4: Field("protocol", .string), 5: Field("hostIP", .string)]), repeated: true),
        7: Field("env", .message([1: Field("name", .string), 2: Field("value", .string)]), repeated: true),
        8: Field("resources", .message(resources)),
        13: Field("terminationMessagePath", .string), 14: Field("imagePullPolicy", .string),
        20: Field("terminationMessagePolicy", .string),
    ]
    static let podSpec: Schema = [
        2: Field("containers", .message(container), repeated: true), 3: Field("restartPolicy", .string),
        4: Field("terminationGracePeriodSeconds", .int64), 6: Field("dnsPolicy", .string), 7: Field("nodeSelector", .stringMap),
        8: Field("serviceAccountName", .string), 19: Field("schedulerName", .string),
        20: Field("initContainers", .message(container), repeated: true),
    ]
    static let deploymentSpec: Schema = [
        1: Field("replicas", .int64), 2: Field("selector", .message(labelSelector)),
        3: Field("template", .message([1: Field("metadata", .message(objectMeta)), 2: Field("spec", .message(podSpec))])),
        4: Field("strategy", .message([1: Field("type", .string),
                                       2: Field("rollingUpdate", .message([1: Field("maxUnavailable", .intOrString), 2: Field("maxSurge", .intOrString)]))])),
        5: Field("minReadySeconds", .int64), 6: Field("revisionHistoryLimit", .int64), 7: Field("paused", .bool),
        9: Field("progressDeadlineSeconds", .int64),
    ]

    static let serviceSpec: Schema = [
        1: Field("ports", .message([1: Field("name", .string), 2: Field("protocol", .string), 3: Field("port", .int64),
                                     4: Field("targetPort", .intOrString), 5: Field("nodePort", .int64), 6: Field("appProtocol", .string)]),
                 repeated: true),
        2: Field("selector", .stringMap), 3: Field("clusterIP", .string), 4: Field("type", .string),
        5: Field("externalIPs", .string, repeated: true), 7: Field("sessionAffinity", .string), 10: Field("externalName", .string),
        18: Field("clusterIPs", .string, repeated: true),
    ]
    static let policyRule: Schema = [
        1: Field("verbs", .string, repeated: true), 2: Field("apiGroups", .string, repeated: true),
        3: Field("resources", .string, repeated: true), 4: Field("resourceNames", .string, repeated: true),
        5: Field("nonResourceURLs", .string, repeated: true),
    ]
    static let binding: Schema = [
        1: Field("metadata", .message(objectMeta)),
        2: Field("subjects", .message([1: Field("kind", .string), 2: Field("apiGroup", .string), 3: Field("name", .string),
                                       4: Field("namespace", .string)]), repeated: true),
        3: Field("roleRef", .message([1: Field("apiGroup", .string), 2: Field("kind", .string), 3: Field("name", .string)])),
    ]

    /// Message schemas by (apiVersion, kind).
    static let kinds: [String: Schema] = [
        "v1/Namespace": [1: Field("metadata", .message(objectMeta)), 2: Field("spec", .message([1: Field("finalizers", .string, repeated: true)]))],
        "v1/ConfigMap": [1: Field("metadata", .message(objectMeta)), 2: Field("data", .stringMap), 3: Field("binaryData", .bytesMap),
                         4: Field("immutable", .bool)],
        "v1/Secret": [1: Field("metadata", .message(objectMeta)), 2: Field("data", .bytesMap), 3: Field("type", .string),
                      4: Field("stringData", .stringMap), 5: Field("immutable", .bool)],
        "v1/ServiceAccount": [1: Field("metadata", .message(objectMeta)), 2: Field("secrets", .message(objectReference), repeated: true),
                              3: Field("imagePullSecrets", .message(localObjectReference), repeated: true),
                              4: Field("automountServiceAccountToken", .bool)],
        "apps/v1/Deployment": [1: Field("metadata", .message(objectMeta)), 2: Field("spec", .message(deploymentSpec))],
        "authorization.k8s.io/v1/SelfSubjectAccessReview": [1: Field("metadata", .message(objectMeta)), 2: Field("spec", .message([
            1: Field("resourceAttributes", .message([1: Field("namespace", .string), 2: Field("verb", .string), 3: Field("group", .string),
                                                    4: Field("version", .string), 5: Field("resource", .string),
                                                    6: Field("subresource", .string), 7: Field("name", .string)])),
            2: Field("nonResourceAttributes", .message([1: Field("path", .string), 2: Field("verb", .string)])),
        ]))],
        "authentication.k8s.io/v1/SelfSubjectReview": [1: Field("metadata", .message(objectMeta))],
        "v1/Service": [1: Field("metadata", .message(objectMeta)), 2: Field("spec", .message(serviceSpec))],
        "rbac.authorization.k8s.io/v1/Role": [1: Field("metadata", .message(objectMeta)), 2: Field("rules", .message(policyRule), repeated: true)],
        "rbac.authorization.k8s.io/v1/ClusterRole": [1: Field("metadata", .message(objectMeta)), 2: Field("rules", .message(policyRule), repeated: true)],
        "rbac.authorization.k8s.io/v1/RoleBinding": binding,
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding": binding,
    ]

    struct Malformed: Error {}

    /// Fields that are pointers in Go, so an explicit zero is meaningful.
    static let pointerFields: Set<String> = ["replicas", "automountServiceAccountToken", "immutable", "revisionHistoryLimit",
                                              "progressDeadlineSeconds", "terminationGracePeriodSeconds"]

    /// The JSON form of a protobuf-encoded object, or nil when the kind is not one we decode.
    static func decode(_ bytes: [UInt8]) -> JSONValue? {
        guard bytes.count > 4, Array(bytes[0..<4]) == [0x6b, 0x38, 0x73, 0x00] else { return nil }
        guard let unknown = try? fields(bytes[4...]) else { return nil }
        var apiVersion = "", kind = ""
        var raw: ArraySlice<UInt8> = []
        for (number, value) in unknown {
            if number == 1, case .bytes(let tm) = value, let typeMeta = try? fields(tm) {
                for (n, v) in typeMeta {
                    if case .bytes(let s) = v {
                        if n == 1 { apiVersion = String(decoding: s, as: UTF8.self) }
                        if n == 2 { kind = String(decoding: s, as: UTF8.self) }
                    }
                }
            }
            if number == 2, case .bytes(let r) = value { raw = r }
        }
        guard let schema = kinds["\(apiVersion)/\(kind)"], var object = try? message(raw, schema) else { return nil }
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }

    enum Wire { case varint(UInt64), bytes(ArraySlice<UInt8>), fixed }

    static func fields(_ data: ArraySlice<UInt8>) throws -> [(Int, Wire)] {
        var out: [(Int, Wire)] = []
        var i = data.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < data.endIndex, shift < 64 else { throw Malformed() }
                let b = data[i]
                i += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < data.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((number, .varint(try varint())))
            case 2:
                let n = Int(try varint())
                guard n >= 0, i + n <= data.endIndex else { throw Malformed() }
                out.append((number, .bytes(data[i..<(i + n)])))
                i += n
            case 1: i += 8; out.append((number, .fixed))
            case 5: i += 4; out.append((number, .fixed))
            default: throw Malformed()
            }
        }
        return out
    }

    static func message(_ data: ArraySlice<UInt8>, _ schema: Schema) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (number, wire) in try fields(data) {
            guard let field = schema[number] else { continue }
            let value: JSONValue
            switch (field.type, wire) {
            case (.string, .bytes(let b)): value = .string(String(decoding: b, as: UTF8.self))
            case (.bytes, .bytes(let b)): value = .string(Data(b).base64EncodedString())
            case (.int64, .varint(let v)): value = .number(Double(Int64(bitPattern: v)))
            case (.bool, .varint(let v)): value = .bool(v != 0)
            case (.message(let s), .bytes(let b)): value = try message(b, s)
            case (.time, .bytes(let b)):
                var seconds: Int64 = 0
                for (n, w) in try fields(b) { if n == 1, case .varint(let v) = w { seconds = Int64(bitPattern: v) } }
                if seconds == 0 { continue }
                value = .string(Timestamps.format(Date(timeIntervalSince1970: TimeInterval(seconds))))
            case (.intOrString, .bytes(let b)):
                var isString = false, int: Int64 = 0, str = ""
                for (n, w) in try fields(b) {
                    switch (n, w) {
                    case (1, .varint(let v)): isString = v == 1
                    case (2, .varint(let v)): int = Int64(Int32(truncatingIfNeeded: v))
                    case (3, .bytes(let s)): str = String(decoding: s, as: UTF8.self)
                    default: break
                    }
                }
                value = isString ? .string(str) : .number(Double(int))
            case (.quantity, .bytes(let b)):
                var str = ""
                for (n, w) in try fields(b) { if n == 1, case .bytes(let s) = w { str = String(decoding: s, as: UTF8.self) } }
                value = .string(str)
            case (.stringMap, .bytes(let b)), (.bytesMap, .bytes(let b)), (.quantityMap, .bytes(let b)):
                var key = "", v: JSONValue = ""
                for (n, w) in try fields(b) {
                    guard case .bytes(let s) = w else { continue }
                    if n == 1 { key = String(decoding: s, as: UTF8.self) }
                    if n == 2 {
                        switch field.type {
                        case .bytesMap: v = .string(Data(s).base64EncodedString())
                        case .quantityMap:
                            for (qn, qw) in try fields(s) { if qn == 1, case .bytes(let q) = qw { v = .string(String(decoding: q, as: UTF8.self)) } }
                        default: v = .string(String(decoding: s, as: UTF8.self))
                        }
                    }
                }
                var map = object[field.name]?.objectValue ?? [:]
                map[key] = v
                object[field.name] = .object(map)
                continue
            default:
                throw Malformed()
            }
            // gogo-protobuf writes every non-pointer field; Go's JSON would omit the zero values.
            if !field.repeated {
                if value == "" || (value == .bool(false) && !pointerFields.contains(field.name))
                    || (value == .number(0) && !pointerFields.contains(field.name)) { continue }
            }
            if field.repeated {
                object[field.name] = .array((object[field.name]?.arrayValue ?? []) + [value])
            } else {
                object[field.name] = value
            }
        }
        return .object(object)
    }
}
