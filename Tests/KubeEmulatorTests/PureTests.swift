import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct StrategicMergeTests {
    let schema = BuiltinSchemas.deployment

    func containers(_ v: JSONValue) -> [JSONValue] { v[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? [] }

    let original: JSONValue = ["spec": ["template": ["spec": ["containers": [
        ["name": "a", "image": "a:1", "env": [["name": "X", "value": "1"], ["name": "Y", "value": "2"]], "ports": [["containerPort": 80]]],
        ["name": "b", "image": "b:1"],
    ]]]]]

    @Test func containersMergeByName() throws {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "image": "a:2"]]]]]]
        let out = try StrategicMerge.apply(patch, to: original, schema: schema)
        #expect(containers(out).count == 2)
        #expect(containers(out)[0]["image"] == "a:2")
        #expect(containers(out)[0]["env"]?.arrayValue?.count == 2)
    }

    @Test func envMergesByNameAndNewItemsAppend() throws {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "env": [["name": "Y", "value": "3"], ["name": "Z", "value": "4"]]]]]]]]
        let env = containers(try StrategicMerge.apply(patch, to: original, schema: schema))[0]["env"]?.arrayValue ?? []
        #expect(env == [["name": "X", "value": "1"], ["name": "Y", "value": "3"], ["name": "Z", "value": "4"]])
    }

    @Test func portsMergeByContainerPort() throws {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "ports": [["containerPort": 80, "name": "http"], ["containerPort": 90]]]]]]]]
        let ports = containers(try StrategicMerge.apply(patch, to: original, schema: schema))[0]["ports"]?.arrayValue ?? []
        #expect(ports == [["containerPort": 80, "name": "http"], ["containerPort": 90]])
    }

    @Test func servicePortsMergeByPort() throws {
        let svc: JSONValue = ["spec": ["ports": [["port": 80, "targetPort": 8080], ["port": 443]]]]
        let patch: JSONValue = ["spec": ["ports": [["port": 80, "targetPort": 9090]]]]
        let out = try StrategicMerge.apply(patch, to: svc, schema: BuiltinSchemas.service)
        #expect(out[path: ["spec", "ports"]] == [["port": 80, "targetPort": 9090], ["port": 443]])
    }

    @Test func patchDeleteRemovesListItem() throws {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "b", "$patch": "delete"]]]]]]
        let out = try StrategicMerge.apply(patch, to: original, schema: schema)
        #expect(containers(out).map { $0["name"] } == ["a"])
    }

    @Test func patchReplaceReplacesList() throws {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "c:1"], ["$patch": "replace"]]]]]]
        let out = try StrategicMerge.apply(patch, to: original, schema: schema)
        #expect(containers(out) == [["name": "c", "image": "c:1"]])
    }

    @Test func patchReplaceOnMap() throws {
        let obj: JSONValue = ["metadata": ["labels": ["a": "1", "b": "2"]]]
        let patch: JSONValue = ["metadata": ["labels": ["c": "3", "$patch": "replace"]]]
        let out = try StrategicMerge.apply(patch, to: obj, schema: schema)
        #expect(out[path: ["metadata", "labels"]] == ["c": "3"])
    }

    @Test func nullDeletesKeyAndRetainKeysIsHonoured() throws {
        let obj: JSONValue = ["spec": ["strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1]], "paused": true]]
        let patch: JSONValue = ["spec": ["paused": nil, "strategy": ["type": "Recreate", "$retainKeys": ["type"]]]]
        let out = try StrategicMerge.apply(patch, to: obj, schema: schema)
        #expect(out["spec"]?["paused"] == nil)
        #expect(out[path: ["spec", "strategy"]] == ["type": "Recreate"])
    }

    @Test func setElementOrderAndDeleteFromPrimitiveList() throws {
        let obj: JSONValue = ["metadata": ["finalizers": ["a", "b", "c"]], "spec": ["template": ["spec": ["containers": [["name": "x"], ["name": "y"]]]]]]
        let patch: JSONValue = [
            "metadata": ["$deleteFromPrimitiveList/finalizers": ["b"], "finalizers": ["d"]],
            "spec": ["template": ["spec": ["$setElementOrder/containers": [["name": "y"], ["name": "x"]]]]],
        ]
        let out = try StrategicMerge.apply(patch, to: obj, schema: schema)
        #expect(out[path: ["metadata", "finalizers"]] == ["a", "c", "d"])
        #expect(containers(out).map { $0["name"] } == ["y", "x"])
    }

    @Test func listWithoutStrategyIsReplaced() throws {
        let obj: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "args": ["1", "2"]]]]]]]
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "args": ["3"]]]]]]]
        #expect(containers(try StrategicMerge.apply(patch, to: obj, schema: schema))[0]["args"] == ["3"])
    }
}

@Suite struct LabelSelectorTests {
    let labels = ["app": "web", "tier": "front", "env": "prod"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app!=db", true),
        ("env in (prod,staging)", true), ("env notin (prod)", false), ("env notin (dev)", true),
        ("tier", true), ("!tier", false), ("!legacy", true), ("app=web,tier=back", false),
        ("app=web, env in (prod, dev), !legacy", true), ("", true), ("missing notin (x)", true),
    ])
    func matches(_ selector: String, _ expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels) == expected)
    }

    @Test func rejectsMalformed() {
        #expect(throws: APIError.self) { try LabelSelector(parsing: "app in prod") }
        #expect(throws: APIError.self) { try LabelSelector(parsing: "a b=c") }
    }

    @Test func fromObject() throws {
        let s = try LabelSelector(object: ["matchLabels": ["app": "web"], "matchExpressions": [["key": "env", "operator": "In", "values": ["prod"]]]])
        #expect(s.matches(labels))
        #expect(s.description == "app=web,env in (prod)")
    }

    @Test func fieldSelector() throws {
        let obj: JSONValue = ["metadata": ["name": "x", "namespace": "ns"], "status": ["phase": "Running"]]
        #expect(try FieldSelector(parsing: "metadata.name=x,status.phase==Running").matches(object: obj))
        #expect(try !FieldSelector(parsing: "metadata.namespace!=ns").matches(object: obj))
    }
}

@Suite struct SchemaValidatorTests {
    let schema: JSONValue = Objects.widgetCRD[path: ["spec", "versions"]]!.arrayValue![0][path: ["schema", "openAPIV3Schema"]]!

    func validate(_ spec: JSONValue) -> SchemaValidator.Outcome {
        SchemaValidator(schema: schema).validate(["apiVersion": "test.fledge.dev/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec])
    }

    @Test func validObjectPasses() {
        let o = validate(["size": "small", "replicas": 3, "port": "http", "weights": [0.5, 1], "extra": ["any": ["thing": 1]]])
        #expect(o.errors.isEmpty)
        #expect(o.unknownFields.isEmpty)
    }

    @Test func unknownFieldsArePrunedAndReported() {
        let o = validate(["size": "small", "foo": 1])
        #expect(o.unknownFields == ["spec.foo"])
        #expect(o.value[path: ["spec", "foo"]] == nil)
    }

    @Test func errorsLikeTheRealServer() {
        let o = validate(["size": "huge", "replicas": -1, "label": "UPPER", "weights": [1, 2, 3, 4]])
        let text = o.errors.map(\.description)
        #expect(text.contains("spec.size: Unsupported value: \"huge\": supported values: \"small\", \"medium\", \"large\""))
        #expect(text.contains("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"))
        #expect(text.contains("spec.label: Invalid value: \"UPPER\": spec.label in body should match '^[a-z-]*$'"))
        #expect(text.contains("spec.weights: Too many: 4: must have at most 3 items"))
    }

    @Test func typesAndRequired() {
        let o = validate(["replicas": 1.5, "port": true])
        #expect(o.errors.contains { $0.field == "spec.size" && $0.reason == "FieldValueRequired" })
        #expect(o.errors.contains { $0.field == "spec.replicas" && $0.reason == "FieldValueTypeInvalid" })
        #expect(o.errors.contains { $0.field == "spec.port" && $0.reason == "FieldValueTypeInvalid" })
    }

    @Test func maxLength() {
        let o = validate(["size": "small", "label": "abcdefghijklmnopqrstuvwxyz"])
        #expect(o.errors.map(\.description) == ["spec.label: Too long: may not be more than 20 bytes"])
    }

    @Test func invalidMessageShape() {
        let e = APIError.invalid(kind: "Rollout", group: "fledge.dev", name: "x",
                                 causes: [.invalid("spec.replicas", -1, "spec.replicas in body should be greater than or equal to 0")])
        #expect(e.message == "Rollout.fledge.dev \"x\" is invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0")
        #expect(e.status["details"]?["causes"] == [["reason": "FieldValueInvalid", "message": "Invalid value: -1: spec.replicas in body should be greater than or equal to 0", "field": "spec.replicas"]])
    }
}

@Suite struct JSONPathColumnTests {
    let obj: JSONValue = ["spec": ["containers": [["name": "a", "image": "x"], ["name": "b"]]],
                          "status": ["conditions": [["type": "Ready", "status": "True"], ["type": "Progressing", "status": "False"]]]]

    @Test(arguments: [
        (".spec.containers[0].image", "x"), (".spec.containers[1].name", "b"),
        (".status.conditions[?(@.type==\"Progressing\")].status", "False"),
        ("{.status.conditions[?(@.type=='Ready')].status}", "True"),
        (".spec.containers[-1].name", "b"),
    ])
    func evaluates(_ path: String, _ expected: String) throws {
        #expect(try JSONPathColumn(path).evaluate(obj).first == .string(expected))
    }

    @Test func missingGivesNothing() throws {
        #expect(try JSONPathColumn(".status.phase").evaluate(obj).isEmpty)
        #expect(try JSONPathColumn(".spec.containers[*].name").evaluate(obj) == ["a", "b"])
    }
}

@Suite struct SchemaCombinatorTests {
    func errors(_ value: JSONValue, _ schema: JSONValue) -> [String] {
        SchemaValidator(schema: ["type": "object", "properties": ["spec": ["type": "object", "properties": ["v": schema]]]])
            .validate(["metadata": ["name": "x"], "spec": ["v": value]]).errors.map(\.description)
    }

    @Test func anyOfOneOfAllOfNot() {
        let intOrPercent: JSONValue = ["x-kubernetes-int-or-string": true, "anyOf": [["type": "integer"], ["type": "string", "pattern": "^[0-9]+%$"]]]
        #expect(errors(5, intOrPercent).isEmpty)
        #expect(errors("25%", intOrPercent).isEmpty)
        #expect(errors("lots", intOrPercent) == ["spec.v: Invalid value: \"lots\": spec.v in body must match at least one schema (anyOf)"])
        let one: JSONValue = ["type": "integer", "oneOf": [["minimum": 0], ["maximum": 10]]]
        #expect(errors(20, one).isEmpty)
        #expect(errors(5, one).count == 1)
        #expect(errors(3, ["type": "integer", "allOf": [["minimum": 0], ["maximum": 2]]]).count == 1)
        #expect(errors(3, ["type": "integer", "not": ["minimum": 0]]).count == 1)
        #expect(errors(-3, ["type": "integer", "not": ["minimum": 0]]).isEmpty)
    }
}
