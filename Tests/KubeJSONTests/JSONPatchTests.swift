import Foundation
import KubeJSON
import Testing

@Suite struct JSONPatchTests {
    @Test func mergePatchFollowsRFC7386() throws {
        let target = try JSONValue(parsing: #"{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}"#)
        let patch = try JSONValue(parsing: #"{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}"#)
        let expected = try JSONValue(parsing: #"{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}"#)
        #expect(target.applyingMergePatch(patch) == expected)
        // And the patch computed between two documents reproduces the second.
        #expect(target.applyingMergePatch(target.mergePatch(to: expected)) == expected)
    }

    @Test func jsonPatchAppliesEveryOperation() throws {
        let doc: JSONValue = ["spec": ["replicas": 3, "list": [1, 2]], "metadata": ["name": "a"]]
        let patch = try JSONValue(parsing: """
        [{"op":"test","path":"/spec/replicas","value":3},
         {"op":"replace","path":"/spec/replicas","value":5},
         {"op":"add","path":"/spec/list/-","value":3},
         {"op":"add","path":"/spec/list/0","value":0},
         {"op":"remove","path":"/metadata/name"},
         {"op":"copy","from":"/spec/replicas","path":"/spec/copy"},
         {"op":"move","from":"/spec/copy","path":"/metadata/moved"},
         {"op":"add","path":"/metadata/a~1b","value":"slash"}]
        """)
        let result = try doc.applyingJSONPatch(patch)
        #expect(result == ["spec": ["replicas": 5, "list": [0, 1, 2, 3]], "metadata": ["moved": 5, "a/b": "slash"]])
    }

    @Test func failedTestLeavesTheDocumentAlone() throws {
        let doc: JSONValue = ["spec": ["replicas": 3]]
        let patch = try JSONValue(parsing: #"[{"op":"replace","path":"/spec/replicas","value":1},{"op":"test","path":"/spec/replicas","value":3}]"#)
        #expect(throws: PatchError.testFailed(path: "/spec/replicas")) { try doc.applyingJSONPatch(patch) }
        #expect(throws: PatchError.pathNotFound("/spec/missing/x")) {
            try doc.applyingJSONPatch(try JSONValue(parsing: #"[{"op":"add","path":"/spec/missing/x","value":1}]"#))
        }
        #expect(doc == ["spec": ["replicas": 3]])
    }

    @Test func numbersRoundTripAsIntegersWhenWhole() throws {
        let v = try JSONValue(parsing: #"{"a":1,"b":1.5,"c":true,"d":null,"e":"x"}"#)
        #expect(v.jsonString.contains("\"a\":1"))
        #expect(v["a"]?.intValue == 1)
        #expect(v["b"]?.intValue == nil)
        #expect(try JSONValue(parsing: v.data()) == v)
    }

    @Test func decodingKeepsEveryKindApart() throws {
        let v = try JSONValue(parsing: #"{"o":{},"a":[],"mixed":[true,0,"x",null,{},[1.5]],"t":false,"n":-3}"#)
        #expect(v["o"] == .object([:]))
        #expect(v["a"] == .array([]))
        #expect(v["mixed"] == .array([.bool(true), .number(0), .string("x"), .null, .object([:]), .array([.number(1.5)])]))
        #expect(v["t"] == .bool(false))
        #expect(v["n"] == .number(-3))
        #expect(try JSONValue(parsing: "null") == .null)
        #expect(try JSONValue(parsing: #""true""#) == .string("true"))
    }
}
