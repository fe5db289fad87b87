import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct ServerSideApplyTests {
    let schema = BuiltinSchemas.deployment

    @Test func mergesMapsAndKeyedLists() {
        let live: JSONValue = ["spec": ["replicas": 2, "template": ["spec": ["containers": [["name": "a", "image": "a:1"], ["name": "b", "image": "b:1"]]]]]]
        let config: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "b", "image": "b:2"]]]]]]
        let merged = ServerSideApply.merge(config, into: live, schema: schema)
        #expect(merged[path: ["spec", "replicas"]] == 2)
        #expect(merged[path: ["spec", "template", "spec", "containers"]] == [["name": "a", "image": "a:1"], ["name": "b", "image": "b:2"]])
    }

    @Test func atomicListsAreReplaced() {
        let live: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "args": ["1", "2"]]]]]]]
        let config: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "args": ["3"]]]]]]]
        let merged = ServerSideApply.merge(config, into: live, schema: schema)
        #expect(merged[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["args"] == ["3"])
    }

    @Test func fieldSetUsesMergeKeys() {
        let set = ManagedFields.fieldSet(["spec": ["template": ["spec": ["containers": [["name": "a", "image": "x"]]]]]], schema: schema)
        #expect(set[path: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"a"}"#]] == ["f:name": [:], "f:image": [:], ".": [:]])
    }

    @Test func droppedFieldsAreRemovedUnlessSharedWithAnotherManager() {
        let live: JSONValue = ["data": ["a": "1", "b": "2", "c": "3"]]
        let previous = ManagedFields.fieldSet(["data": ["a": "1", "b": "2", "c": "3"]], schema: nil)
        let current = ManagedFields.fieldSet(["data": ["a": "1"]], schema: nil)
        let others = ManagedFields.fieldSet(["data": ["c": "3"]], schema: nil)
        let out = ManagedFields.removeDropped(from: live, previous: previous, current: current, others: others)
        #expect(out["data"] == ["a": "1", "c": "3"])
    }

    @Test func droppedListItemsAreRemoved() {
        let env: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "env": [["name": "X", "value": "1"], ["name": "Y", "value": "2"]]]]]]]]
        let previous = ManagedFields.fieldSet(env, schema: schema)
        let next: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "a", "env": [["name": "X", "value": "1"]]]]]]]]
        let current = ManagedFields.fieldSet(next, schema: schema)
        let out = ManagedFields.removeDropped(from: env, previous: previous, current: current)
        #expect(out[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["env"] == [["name": "X", "value": "1"]])
    }
}
