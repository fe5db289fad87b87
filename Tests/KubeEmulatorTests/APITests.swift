import Foundation
import KubeJSON
import Testing
@testable import KubeEmulator

@Suite struct APITests {
    let cms = "/api/v1/namespaces/default/configmaps"

    @Test func createGetAndMetadata() async throws {
        try await withEmulator { _, c in
            let created = try await c.post(cms, Objects.configMap("a"))
            #expect(created.status == 201)
            let meta = created.body["metadata"]!
            #expect(meta["uid"]?.stringValue?.isEmpty == false)
            #expect(meta["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(Int(meta["resourceVersion"]?.stringValue ?? "") != nil)
            #expect(meta["namespace"] == "default")
            let got = try await c.get("\(cms)/a")
            #expect(got.body["data"] == ["k": "v"])
            #expect(got.body["kind"] == "ConfigMap")
        }
    }

    @Test func alreadyExistsNotFoundAndMissingNamespace() async throws {
        try await withEmulator { _, c in
            try await c.post(cms, Objects.configMap("a"))
            let again = try await c.post(cms, Objects.configMap("a"))
            #expect(again.status == 409)
            #expect(again.body["reason"] == "AlreadyExists")
            #expect(again.body["message"] == "configmaps \"a\" already exists")
            let missing = try await c.get("\(cms)/nope")
            #expect(missing.status == 404)
            #expect(missing.body == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                     "message": "configmaps \"nope\" not found", "reason": "NotFound",
                                     "details": ["name": "nope", "kind": "configmaps"], "code": 404])
            let protected = try await c.delete("/api/v1/namespaces/default")
            #expect(protected.status == 403)
            #expect(protected.body["reason"] == "Forbidden")
            var withRV = Objects.configMap("b")
            withRV[path: ["metadata", "resourceVersion"]] = "5"
            let rvOnCreate = try await c.post(cms, withRV)
            #expect(rvOnCreate.status == 500)
            #expect(rvOnCreate.body["message"] == "Internal error occurred: resourceVersion should not be set on objects to be created")
            let noNS = try await c.post("/api/v1/namespaces/ghost/configmaps", Objects.configMap("a"))
            #expect(noNS.status == 404)
            #expect(noNS.body["message"] == "namespaces \"ghost\" not found")
        }
    }

    @Test func staleResourceVersionConflicts() async throws {
        try await withEmulator { _, c in
            let created = try await c.post(cms, Objects.configMap("a")).body
            var first = created
            first["data"] = ["k": "2"]
            #expect(try await c.put("\(cms)/a", first).status == 200)
            var stale = created
            stale["data"] = ["k": "3"]
            let conflict = try await c.put("\(cms)/a", stale)
            #expect(conflict.status == 409)
            #expect(conflict.body["reason"] == "Conflict")
            #expect(conflict.body["message"] == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again")
            #expect(conflict.body["details"] == ["name": "a", "kind": "configmaps"])
            #expect(conflict.body["code"] == 409)
        }
    }

    @Test func noOpUpdateKeepsResourceVersion() async throws {
        try await withEmulator { _, c in
            let created = try await c.post(cms, Objects.configMap("a")).body
            let same = try await c.put("\(cms)/a", created).body
            #expect(same["metadata"]?["resourceVersion"] == created["metadata"]?["resourceVersion"])
        }
    }

    @Test func generationBumpsOnlyForSpecChanges() async throws {
        try await withEmulator({ $0.createPods = false; $0.deploymentReadyDelay = .seconds(3600) }) { _, c in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            #expect(try await c.post(path, Objects.deployment("d")).body[path: ["metadata", "generation"]] == 1)
            let labelled = try await c.patch("\(path)/d", ["metadata": ["labels": ["x": "y"]]], type: "application/merge-patch+json")
            #expect(labelled.body[path: ["metadata", "generation"]] == 1)
            let status = try await c.patch("\(path)/d/status", ["status": ["replicas": 7]], type: "application/merge-patch+json")
            #expect(status.body[path: ["metadata", "generation"]] == 1)
            let scaled = try await c.patch("\(path)/d", ["spec": ["replicas": 5]], type: "application/merge-patch+json")
            #expect(scaled.body[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func statusSubresourceSemantics() async throws {
        try await withEmulator { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            let path = "/apis/test.fledge.dev/v1/namespaces/default/widgets"
            var w = Objects.widget("w")
            w["status"] = ["phase": "Set-on-create"]
            let created = try await c.post(path, w).body
            #expect(created["status"] == nil)
            // Main resource ignores status.
            var main = created
            main["status"] = ["phase": "Ignored"]
            main[path: ["spec", "replicas"]] = 3
            let updated = try await c.put("\(path)/w", main).body
            #expect(updated["status"] == nil)
            #expect(updated[path: ["spec", "replicas"]] == 3)
            #expect(updated[path: ["metadata", "generation"]] == 2)
            // /status ignores everything but status.
            var st = updated
            st["status"] = ["phase": "Running"]
            st[path: ["spec", "replicas"]] = 9
            let s = try await c.put("\(path)/w/status", st).body
            #expect(s["status"] == ["phase": "Running"])
            #expect(s[path: ["spec", "replicas"]] == 3)
            #expect(s[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func customResourcesRefuseUnconditionalUpdates() async throws {
        try await withEmulator { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            let path = "/apis/test.fledge.dev/v1/namespaces/default/widgets"
            try await c.post(path, Objects.widget("w"))
            let r = try await c.put("\(path)/w", Objects.widget("w", replicas: 2))
            #expect(r.status == 422)
            #expect(r.body["message"] == "widgets.test.fledge.dev \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
            // Built-ins allow them.
            try await c.post(cms, Objects.configMap("a"))
            #expect(try await c.put("\(cms)/a", Objects.configMap("a", data: ["k": "2"])).status == 200)
        }
    }

    @Test func invalidObjectGets422WithCauses() async throws {
        try await withEmulator { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            let r = try await c.post("/apis/test.fledge.dev/v1/namespaces/default/widgets", Objects.widget("w", replicas: -1))
            #expect(r.status == 422)
            #expect(r.body["reason"] == "Invalid")
            #expect(r.body["message"] == "Widget.test.fledge.dev \"w\" is invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0")
            #expect(r.body["details"]?["causes"]?.arrayValue?.first?["field"] == "spec.replicas")
            #expect(r.body["details"]?["group"] == "test.fledge.dev")
            #expect(r.body["details"]?["kind"] == "Widget")
        }
    }

    @Test func unknownFieldsStrictWarnIgnore() async throws {
        try await withEmulator { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            let path = "/apis/test.fledge.dev/v1/namespaces/default/widgets"
            let strict = try await c.post(path + "?fieldValidation=Strict", Objects.widget("w", extra: ["foo": 1]))
            #expect(strict.status == 400)
            #expect(strict.body["message"]?.stringValue?.hasSuffix("strict decoding error: unknown field \"spec.foo\"") == true)
            let warn = try await c.post(path, Objects.widget("w", extra: ["foo": 1]))
            #expect(warn.status == 201)
            #expect(warn.headers["Warning"].first?.contains("unknown field \\\"spec.foo\\\"") == true)
            #expect(warn.body[path: ["spec", "foo"]] == nil)
        }
    }

    @Test func patchTypes() async throws {
        try await withEmulator({ $0.createPods = false }) { _, c in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            try await c.post(path, Objects.deployment("d"))
            let merge = try await c.patch("\(path)/d", ["spec": ["replicas": 4]], type: "application/merge-patch+json")
            #expect(merge.body[path: ["spec", "replicas"]] == 4)
            let json = try await c.patch("\(path)/d", [["op": "test", "path": "/spec/replicas", "value": 4],
                                                      ["op": "replace", "path": "/spec/replicas", "value": 6]],
                                         type: "application/json-patch+json")
            #expect(json.body[path: ["spec", "replicas"]] == 6)
            let failedTest = try await c.patch("\(path)/d", [["op": "test", "path": "/spec/replicas", "value": 1]], type: "application/json-patch+json")
            #expect(failedTest.status == 422)
            let smp = try await c.patch("\(path)/d", ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:2"]]]]]],
                                        type: "application/strategic-merge-patch+json")
            let container = smp.body[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
            #expect(container?["image"] == "nginx:2")
            #expect(container?["env"] == [["name": "A", "value": "1"]])
            let bad = try await c.patch("\(path)/d", [:], type: "text/plain")
            #expect(bad.status == 415)
        }
    }

    @Test func strategicMergeRejectedForCustomResources() async throws {
        try await withEmulator { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            let path = "/apis/test.fledge.dev/v1/namespaces/default/widgets"
            try await c.post(path, Objects.widget("w"))
            let r = try await c.patch("\(path)/w", ["spec": ["replicas": 2]], type: "application/strategic-merge-patch+json")
            #expect(r.status == 415)
            #expect(r.body["reason"] == "UnsupportedMediaType")
        }
    }

    @Test func serverSideApplyCreatesThenMerges() async throws {
        try await withEmulator { _, c in
            let path = "\(cms)/applied?fieldManager=tester"
            let apply = "application/apply-patch+yaml"
            let first = try await c.patch(path, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["a": "1", "b": "2"]], type: apply)
            #expect(first.status == 201)
            #expect(first.body[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"] == "tester")
            #expect(first.body[path: ["metadata", "managedFields"]]?.arrayValue?.first?["operation"] == "Apply")
            // Another writer adds a key; the applier drops "b": "c" survives, "b" goes.
            try await c.patch("\(cms)/applied", ["data": ["c": "3"]], type: "application/merge-patch+json")
            let second = try await c.patch(path, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["a": "9"]], type: apply)
            #expect(second.status == 200)
            #expect(second.body["data"] == ["a": "9", "c": "3"])
            let noManager = try await c.patch("\(cms)/applied", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"]], type: apply)
            #expect(noManager.status == 422)
        }
    }

    @Test func selectorsAndPaging() async throws {
        try await withEmulator { _, c in
            for i in 0..<7 {
                try await c.post(cms, Objects.configMap("cm\(i)", labels: ["n": String(i), "parity": i % 2 == 0 ? "even" : "odd"]))
            }
            func names(_ query: String) async throws -> [String] {
                try await c.get("\(cms)?\(query)").body["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
            }
            #expect(try await names("labelSelector=parity%3Deven") == ["cm0", "cm2", "cm4", "cm6"])
            #expect(try await names("labelSelector=parity!%3Deven,n%20notin%20(1,3)") == ["cm5"])
            #expect(try await names("labelSelector=n%20in%20(1,2)") == ["cm1", "cm2"])
            #expect(try await names("labelSelector=!parity").isEmpty)
            #expect(try await names("fieldSelector=metadata.name%3Dcm3") == ["cm3"])
            #expect(try await names("fieldSelector=metadata.namespace%3Ddefault").count == 7)
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await c.get("\(cms)?limit=3" + (token.isEmpty ? "" : "&continue=\(token)")).body
                seen += page["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
                token = page[path: ["metadata", "continue"]]?.stringValue?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                pages += 1
            } while !token.isEmpty
            #expect(pages == 3)
            #expect(seen == (0..<7).map { "cm\($0)" })
            // A continue token from before the retained window is 410 Expired.
            let first = try await c.get("\(cms)?limit=2").body
            let stale = first[path: ["metadata", "continue"]]?.stringValue?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try await c.post(cms, Objects.configMap("late"))
            try await c.send(.POST, "/emulator.fledge.dev/expire-watch-window")
            let expired = try await c.get("\(cms)?limit=2&continue=\(stale)")
            #expect(expired.status == 410)
            #expect(expired.body["reason"] == "Expired")
            let bad = try await c.get("\(cms)?labelSelector=a%20in%20b")
            #expect(bad.status == 400)
        }
    }

    @Test func deleteWithFinalizersWaits() async throws {
        try await withEmulator { _, c in
            var cm = Objects.configMap("f")
            cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            try await c.post(cms, cm)
            let deleted = try await c.delete("\(cms)/f")
            #expect(deleted.status == 200)
            #expect(deleted.body[path: ["metadata", "deletionTimestamp"]] != nil)
            let held = try await c.get("\(cms)/f").body
            #expect(held[path: ["metadata", "deletionTimestamp"]] != nil)
            let release = try await c.patch("\(cms)/f", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
            #expect(release.status == 200)
            #expect(try await c.get("\(cms)/f").status == 404)
        }
    }

    @Test func scaleSubresource() async throws {
        try await withEmulator({ $0.createPods = false; $0.deploymentReadyDelay = .seconds(3600) }) { _, c in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            try await c.post(path, Objects.deployment("d"))
            // Let the deployment stand-in write its first status, so the Scale read below is not stale.
            try await TestClient.eventually(10, "status observed") {
                try await c.get("\(path)/d").body[path: ["status", "observedGeneration"]] == 1
            }
            let scale = try await c.get("\(path)/d/scale").body
            #expect(scale["kind"] == "Scale")
            #expect(scale["apiVersion"] == "autoscaling/v1")
            #expect(scale[path: ["spec", "replicas"]] == 2)
            #expect(scale[path: ["status", "selector"]] == "app=d")
            var s = scale
            s[path: ["spec", "replicas"]] = 4
            #expect(try await c.put("\(path)/d/scale", s).body[path: ["spec", "replicas"]] == 4)
            #expect(try await c.get("\(path)/d").body[path: ["spec", "replicas"]] == 4)
            let patched = try await c.patch("\(path)/d/scale", ["spec": ["replicas": 1]], type: "application/merge-patch+json")
            #expect(patched.body[path: ["spec", "replicas"]] == 1)
        }
    }

    @Test func crdLifecycle() async throws {
        try await withEmulator { _, c in
            let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
            try await c.post(crds, Objects.widgetCRD)
            let crd = try await c.get("\(crds)/widgets.test.fledge.dev").body
            let conditions = crd[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
            #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
            #expect(crd[path: ["status", "acceptedNames", "kind"]] == "Widget")
            let discovery = try await c.get("/apis/test.fledge.dev/v1").body
            let names = discovery["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names == ["widgets", "widgets/status", "widgets/scale"])
            try await c.post("/apis/test.fledge.dev/v1/namespaces/default/widgets", Objects.widget("w"))
            let gone = try await c.delete("\(crds)/widgets.test.fledge.dev")
            #expect(gone.status == 200)
            #expect(gone.body["kind"] == "Status")
            #expect(gone.body["status"] == "Success")
            #expect(gone.body[path: ["details", "name"]] == "widgets.test.fledge.dev")
            #expect(try await c.get("/apis/test.fledge.dev/v1/namespaces/default/widgets/w").status == 404)
            #expect(try await c.get("/apis/test.fledge.dev/v1").status == 404)
        }
    }

    @Test func tableOutput() async throws {
        try await withEmulator({ $0.createPods = false }) { _, c in
            try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.widgetCRD)
            var w = Objects.widget("w", replicas: 3)
            w["status"] = nil
            try await c.post("/apis/test.fledge.dev/v1/namespaces/default/widgets", w)
            try await c.patch("/apis/test.fledge.dev/v1/namespaces/default/widgets/w/status",
                              ["status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]], type: "application/merge-patch+json")
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            let table = try await c.get("/apis/test.fledge.dev/v1/namespaces/default/widgets", accept: accept).body
            #expect(table["kind"] == "Table")
            #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Replicas", "Phase", "Ready", "Age"])
            let cells = table["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
            #expect(Array(cells.prefix(4)) == ["w", 3, "Running", "True"])
            #expect(table["rows"]?.arrayValue?.first?["object"]?["kind"] == "PartialObjectMetadata")
            try await c.post("/apis/apps/v1/namespaces/default/deployments", Objects.deployment("d"))
            let deployTable = try await c.get("/apis/apps/v1/namespaces/default/deployments/d", accept: accept).body
            #expect(deployTable["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Ready", "Up-to-date", "Available", "Age"])
        }
    }

    @Test func discoveryAndOpenAPI() async throws {
        try await withEmulator { _, c in
            #expect(try await c.get("/version").body["gitVersion"]?.stringValue?.hasPrefix("v1.37") == true)
            #expect(try await c.get("/api").body["versions"] == ["v1"])
            let groups = try await c.get("/apis").body["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(groups.contains("apps") && groups.contains("coordination.k8s.io") && groups.contains("rbac.authorization.k8s.io"))
            let apps = try await c.get("/apis/apps/v1").body["resources"]?.arrayValue ?? []
            #expect(apps.contains { $0["name"] == "deployments/scale" && $0["kind"] == "Scale" && $0["group"] == "autoscaling" })
            #expect(apps.contains { $0["name"] == "deployments" && $0["shortNames"] == ["deploy"] })
            let aggregated = try await c.get("/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
            #expect(aggregated.headers["Content-Type"].first == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            #expect(aggregated.body["kind"] == "APIGroupDiscoveryList")
            let root = try await c.get("/openapi/v3").body
            let url = root[path: ["paths", "apis/apps/v1", "serverRelativeURL"]]?.stringValue ?? ""
            let doc = try await c.get(url).body
            let patch = doc[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch"]]
            #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
            #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
        }
    }

    @Test func leasesAndEventsAreOrdinaryResources() async throws {
        try await withEmulator { _, c in
            let lease: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "leader"],
                                    "spec": ["holderIdentity": "me", "leaseDurationSeconds": 15, "renewTime": "2026-01-01T00:00:00.000000Z"]]
            let created = try await c.post("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", lease)
            #expect(created.status == 201)
            let event: JSONValue = ["apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["generateName": "x-"],
                                    "eventTime": "2026-01-01T00:00:00.000000Z", "reason": "Started", "note": "hello", "type": "Normal",
                                    "reportingController": "fledge", "reportingInstance": "fledge-1", "action": "Start",
                                    "regarding": ["kind": "Pod", "name": "p", "namespace": "default"]]
            let e = try await c.post("/apis/events.k8s.io/v1/namespaces/default/events", event)
            #expect(e.status == 201)
            #expect(e.body[path: ["metadata", "name"]]?.stringValue?.hasPrefix("x-") == true)
            let core: JSONValue = ["apiVersion": "v1", "kind": "Event", "metadata": ["name": "e1"], "involvedObject": ["kind": "Pod", "name": "p"],
                                   "reason": "Pulled", "message": "ok", "type": "Normal", "count": 1]
            #expect(try await c.post("/api/v1/namespaces/default/events", core).status == 201)
        }
    }
}

@Suite struct EventsViewTests {
    @Test func eventsAPIsShareStorage() async throws {
        try await withEmulator { _, c in
            let core = "/api/v1/namespaces/default/events"
            let modern = "/apis/events.k8s.io/v1/namespaces/default/events"
            let rv = try await c.get(core).body[path: ["metadata", "resourceVersion"]]!.stringValue!
            let w = try await c.watch("\(core)?watch=true&timeoutSeconds=10&resourceVersion=\(rv)")
            let event: JSONValue = ["apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "r.1"],
                                    "eventTime": "2026-01-01T00:00:00.000000Z", "reason": "Promoted", "note": "promoted", "type": "Normal",
                                    "reportingController": "fledge", "reportingInstance": "fledge-1", "action": "Promote",
                                    "regarding": ["kind": "Rollout", "name": "r", "namespace": "default"]]
            let created = try await c.post(modern, event)
            #expect(created.status == 201)
            #expect(created.body["note"] == "promoted")
            #expect(created.body["apiVersion"] == "events.k8s.io/v1")
            let asCore = try await c.get("\(core)/r.1").body
            #expect(asCore["message"] == "promoted")
            #expect(asCore["involvedObject"]?["name"] == "r")
            #expect(asCore["reportingComponent"] == "fledge")
            let seen = try await w.nextEvent()
            #expect(seen?["type"] == "ADDED")
            #expect(seen?[path: ["object", "message"]] == "promoted")
            let patched = try await c.patch("\(modern)/r.1", ["note": "again"], type: "application/merge-patch+json")
            #expect(patched.body["note"] == "again")
            #expect(try await c.get("\(core)/r.1").body["message"] == "again")
            let missingTime = try await c.post(modern, ["apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "x"]])
            #expect(missingTime.status == 422)
            #expect(try await c.delete("\(modern)/r.1").status == 200)
            #expect(try await c.get("\(core)/r.1").status == 404)
        }
    }
}
