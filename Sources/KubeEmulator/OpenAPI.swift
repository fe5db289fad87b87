import Crypto
import Foundation
import KubeJSON

/// `/openapi/v3` documents: the root index and one document per group-version, with each kind's schema
/// (tagged `x-kubernetes-group-version-kind`) and operations whose write verbs accept `fieldValidation`,
/// which is what tells kubectl to leave validation to the server.
enum OpenAPI {
    static func gvKey(_ group: String, _ version: String) -> String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }

    static func root(_ types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for g in Discovery.groups(types) {
            for v in g.versions {
                let key = gvKey(g.name, v)
                let doc = document(group: g.name, version: v, types)
                let hash = (try? doc?.data(sortedKeys: true)).map { SHA512.hash(data: $0).prefix(16).map { String(format: "%02X", $0) }.joined() } ?? "0"
                paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
            }
        }
        paths["api"] = ["serverRelativeURL": "/openapi/v3/api?hash=0"]
        paths["apis"] = ["serverRelativeURL": "/openapi/v3/apis?hash=0"]
        return ["paths": .object(paths)]
    }

    static func schemaName(_ t: ResourceType, _ version: String) -> String {
        let reversed = t.group.isEmpty ? "io.k8s.api.core" : t.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(version).\(t.kind)"
    }

    static func document(group: String, version: String, _ types: [ResourceType]) -> JSONValue? {
        let served = types.filter { $0.group == group && $0.versions.contains(version) }.sorted { $0.resource < $1.resource }
        guard !served.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        let prefix = "/" + gvKey(group, version)
        for t in served {
            let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(t.kind)]
            var schema = t.schemas[version] ?? BuiltinSchemas.anyObject
            schema["x-kubernetes-group-version-kind"] = [gvk]
            if schema["type"] == nil { schema["type"] = "object" }
            var props = schema["properties"]?.objectValue ?? [:]
            props["apiVersion"] = BuiltinSchemas.str
            props["kind"] = BuiltinSchemas.str
            props["metadata"] = BuiltinSchemas.objectMeta
            schema["properties"] = .object(props)
            let name = schemaName(t, version)
            schemas[name] = schema
            schemas[name + "List"] = [
                "type": "object", "x-kubernetes-group-version-kind": [["group": .string(group), "version": .string(version), "kind": .string(t.listKind)]],
                "properties": ["apiVersion": BuiltinSchemas.str, "kind": BuiltinSchemas.str, "metadata": BuiltinSchemas.anyObject,
                               "items": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(name)")]]],
                "required": ["items"],
            ]
            let base = t.namespaced ? "\(prefix)/namespaces/{namespace}/\(t.resource)" : "\(prefix)/\(t.resource)"
            let ref: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
            let body: JSONValue = ["content": ["application/json": ["schema": ref]], "required": true]
            let ok: JSONValue = ["200": ["description": "OK", "content": ["application/json": ["schema": ref]]]]
            func op(_ action: String, _ verb: String, write: Bool, body: JSONValue? = nil) -> JSONValue {
                var params: [JSONValue] = []
                if write {
                    for p in ["dryRun", "fieldManager", "fieldValidation"] {
                        params.append(["name": .string(p), "in": "query", "schema": ["type": "string", "uniqueItems": true]])
                    }
                }
                var o: JSONValue = ["operationId": .string("\(verb)\(t.kind)"), "x-kubernetes-action": .string(action),
                                    "x-kubernetes-group-version-kind": gvk, "parameters": .array(params), "responses": ok]
                if let body { o["requestBody"] = body }
                return o
            }
            var patchBody: JSONValue = ["content": [:], "required": true]
            for mt in ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
                + (t.strategicMerge ? ["application/strategic-merge-patch+json"] : []) {
                patchBody["content"]?[mt] = ["schema": ["type": "object"]]
            }
            paths[base] = ["get": op("list", "list", write: false), "post": op("post", "create", write: true, body: body)]
            paths[base + "/{name}"] = [
                "get": op("get", "read", write: false), "put": op("put", "replace", write: true, body: body),
                "patch": op("patch", "patch", write: true, body: patchBody), "delete": op("delete", "delete", write: false),
            ]
            if t.hasStatus {
                paths[base + "/{name}/status"] = [
                    "get": op("get", "read", write: false), "put": op("put", "replace", write: true, body: body),
                    "patch": op("patch", "patch", write: true, body: patchBody),
                ]
            }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(EmulatorVersion.gitVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }
}

/// The Kubernetes version the emulator reports.
enum EmulatorVersion {
    static let gitVersion = "v1.37.1"
    static var document: JSONValue {
        ["major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37", "minCompatibilityMajor": "1",
         "minCompatibilityMinor": "36", "gitVersion": .string(gitVersion + "-fledge-emulator"),
         "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
         "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc", "platform": "linux/amd64"]
    }
}
