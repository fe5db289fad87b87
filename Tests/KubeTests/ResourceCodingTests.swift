import Foundation
import KubeJSON
import Testing
@testable import Kube

@Suite struct ResourceCodingTests {
    static let deploymentJSON = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","namespace":"prod","uid":"u1","resourceVersion":"9","generation":2,"labels":{"app":"web"},
                 "managedFields":[{"manager":"kubectl","operation":"Apply","fieldsV1":{"f:spec":{}}}],"futureMeta":"keep"},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"progressDeadlineSeconds":600,
             "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
             "template":{"metadata":{"labels":{"app":"web"}},
                         "spec":{"containers":[{"name":"app","image":"web:1","ports":[{"containerPort":8080}],
                                                "securityContext":{"runAsNonRoot":true},
                                                "resources":{"limits":{"cpu":"500m"}}}],
                                 "affinity":{"nodeAffinity":{}}}},
             "unknownSpecField":{"x":[1,2,3]}},
     "status":{"replicas":2,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]},
     "topLevelUnknown":true}
    """#

    @Test func unknownFieldsSurviveDecodeModifyEncode() throws {
        var d = try JSONDecoder().decode(Deployment.self, from: Data(Self.deploymentJSON.utf8))
        #expect(d.metadata.name == "web")
        #expect(d.spec?.strategy?.rollingUpdate?.maxSurge == "25%")
        #expect(d.spec?.strategy?.rollingUpdate?.maxUnavailable == 0)
        #expect(d.spec?.template?.spec?.containers.first?.resources?.limits?["cpu"] == "500m")
        #expect(d.status?.conditions?.first?.type == "Available")
        #expect(d.metadata.managedFields?.first?["manager"] == "kubectl")

        // Unchanged: byte-for-byte the same JSON value.
        let original = try JSONValue(parsing: Self.deploymentJSON)
        #expect(try JSONValue(encoding: d) == original)

        d.spec?.replicas = 5
        d.spec?.template?.spec?.containers[0].image = "web:2"
        d.metadata.labels?["track"] = "stable"
        d.status = nil
        let out = try JSONValue(encoding: d)
        #expect(out["topLevelUnknown"] == true)
        #expect(out["metadata"]?["futureMeta"] == "keep")
        #expect(out["spec"]?["unknownSpecField"] == ["x": [1, 2, 3]])
        #expect(out["spec"]?["template"]?["spec"]?["affinity"] == ["nodeAffinity": [:]])
        #expect(out["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?[0]["securityContext"] == ["runAsNonRoot": true],
                "unknown field inside a list element survives an edit of that element")
        #expect(out["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?[0]["image"] == "web:2")
        #expect(out["spec"]?["replicas"] == 5)
        #expect(out["metadata"]?["labels"] == ["app": "web", "track": "stable"])
        #expect(out["status"] == nil, "a known field set to nil is removed")
    }

    @Test func builtInCodeHasApiVersionAndKind() throws {
        let lease = Lease(metadata: ObjectMeta(name: "leader", namespace: "fledge"), spec: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15))
        let json = try lease.json()
        #expect(json == ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                         "metadata": ["name": "leader", "namespace": "fledge"],
                         "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15]])
    }

    @Test func httpRouteDecodesWeights() throws {
        let route = try JSONValue(parsing: #"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
         "spec":{"parentRefs":[{"name":"gw","sectionName":"http"}],
                 "rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
                           "backendRefs":[{"name":"web-stable","port":80,"weight":95},{"name":"web-canary","port":80,"weight":5}]}]}}
        """#).decode(as: HTTPRoute.self)
        #expect(route.spec?.parentRefs?.first?.name == "gw")
        #expect(route.spec?.rules?.first?.backendRefs?.map(\.weight) == [95, 5])
        #expect(route.spec?.rules?.first?.matches?.first?.path?.value == "/")
    }

    @Test func dynamicObjectKeepsEverything() throws {
        var o = try JSONValue(parsing: #"{"apiVersion":"fledge.dev/v1alpha1","kind":"Rollout","metadata":{"name":"r","x":1},"spec":{"a":1}}"#)
            .decode(as: DynamicObject.self)
        #expect(o.name == "r")
        var meta = o.metadata
        meta.labels = ["l": "v"]
        o.metadata = meta
        #expect(o.json["metadata"] == ["name": "r", "x": 1, "labels": ["l": "v"]])
        #expect(o["spec"] == ["a": 1])
    }

    @Test func labelSelectorQueryString() {
        let s = LabelSelector(matchLabels: ["b": "2", "a": "1"], matchExpressions: [
            .init(key: "track", operator: "In", values: ["stable", "canary"]), .init(key: "gone", operator: "DoesNotExist"),
        ])
        #expect(s.queryString == "a=1,b=2,track in (stable,canary),!gone")
    }
}

@Suite struct ClientBehaviourTests {
    func status(_ code: Int, _ reason: String) -> Data {
        try! (["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": .string(reason), "code": .number(Double(code))] as JSONValue).data()
    }

    @Test func retriesTooManyRequestsForIdempotentVerbsOnly() async throws {
        let body = try (["metadata": ["name": "web"]] as JSONValue).data()
        let transport = ScriptedTransport([
            Response(status: 429, headers: ["Retry-After": "2"], body: status(429, "TooManyRequests")),
            Response(status: 429, headers: [:], body: status(429, "TooManyRequests")),
            Response(status: 200, body: body),
            Response(status: 429, headers: ["Retry-After": "1"], body: status(429, "TooManyRequests")),
        ])
        let sleeps = SleepRecorder()
        let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://x")!), transport: transport,
                                    sleep: { sleeps.record($0) })
        let d = try await client.get(Deployment.self, name: "web")
        #expect(d.metadata.name == "web")
        #expect(sleeps.durations == [.seconds(2), .seconds(1)])
        await #expect(throws: KubeError.self) {
            _ = try await client.patch(Deployment.self, name: "web", .merge(["a": 1]))
        }
        #expect(transport.sent.count == 4, "the PATCH was not retried")
    }

    @Test func givesUpAfterMaxRetries() async throws {
        let transport = ScriptedTransport(Array(repeating: Response(status: 429, body: status(429, "TooManyRequests")), count: 5))
        var config = ClientConfiguration(server: URL(string: "http://x")!)
        config.maxRetries = 2
        let client = try KubeClient(configuration: config, transport: transport, sleep: { _ in })
        do {
            _ = try await client.get(Deployment.self, name: "web")
            Issue.record("expected 429")
        } catch let e as KubeError {
            guard case .tooManyRequests = e else { Issue.record("\(e)"); return }
        }
        #expect(transport.sent.count == 3)
    }

    @Test func listAllFollowsContinueTokens() async throws {
        let page1 = try (["metadata": ["resourceVersion": "10", "continue": "tok1"], "items": [["metadata": ["name": "a"]]]] as JSONValue).data()
        let page2 = try (["metadata": ["resourceVersion": "10"], "items": [["metadata": ["name": "b"]]]] as JSONValue).data()
        let transport = ScriptedTransport([Response(status: 200, body: page1), Response(status: 200, body: page2)])
        let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://x")!), transport: transport)
        let all = try await client.listAll(Service.self, namespace: "ns", options: ListOptions(labelSelector: "a=b"), pageSize: 1)
        #expect(all.items.compactMap(\.metadata.name) == ["a", "b"])
        #expect(all.metadata.resourceVersion == "10")
        #expect(transport.sent.map(\.queryString) == ["labelSelector=a%3Db&limit=1", "labelSelector=a%3Db&limit=1&continue=tok1"])
    }
}
