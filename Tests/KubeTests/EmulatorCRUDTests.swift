import Foundation
import KubeJSON
import Testing
@testable import Kube

@Suite struct EmulatorCRUDTests {
    @Test func deploymentLifecycle() async throws {
        try await withEmulatorClient { _, client in
            let created = try await client.create(Fixtures.deployment("web", replicas: 2))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.generation == 1)
            #expect(created.spec?.strategy?.type == "RollingUpdate", "server defaults come back")

            // The emulator's deployment controller writes status concurrently, which bumps the resourceVersion.
            let updated = try await KubeClient.retryOnConflict {
                var fetched = try await client.get(Deployment.self, name: "web")
                #expect(fetched.spec?.replicas == 2)
                fetched.spec?.template?.spec?.containers[0].image = "registry.example/web:2"
                return try await client.update(fetched)
            }
            #expect(updated.metadata.generation == 2)
            #expect(updated.spec?.template?.spec?.containers.first?.image == "registry.example/web:2")
            #expect(updated.spec?.template?.spec?.containers.first?.env == [EnvVar(name: "A", value: "1")])

            try await eventually(10, "deployment available") {
                let d = try await client.get(Deployment.self, name: "web")
                return d.status?.conditions?.contains { $0.type == "Available" && $0.status == "True" } == true
                    && d.status?.observedGeneration == 2
            }

            try await client.delete(Deployment.self, name: "web")
            await #expect(throws: KubeError.self) { try await client.get(Deployment.self, name: "web") }
        }
    }

    @Test func servicesLeasesNamespacesAndEvents() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "team")))
            let svc = try await client.create(Fixtures.service("web", namespace: "team"))
            #expect(svc.metadata.namespace == "team")
            #expect(svc.spec?.clusterIP?.isEmpty == false)
            #expect(svc.spec?.ports?.first?.targetPort == 8080)

            var lease = try await client.create(Lease(metadata: ObjectMeta(name: "fledge-leader", namespace: "team"),
                                                      spec: LeaseSpec(holderIdentity: "pod-a", leaseDurationSeconds: 15,
                                                                      renewTime: "2026-01-01T00:00:00.000000Z")))
            lease.spec?.holderIdentity = "pod-b"
            lease = try await client.update(lease)
            #expect(try await client.get(Lease.self, name: "fledge-leader", namespace: "team").spec?.holderIdentity == "pod-b")

            let event = try await client.create(Event(
                metadata: ObjectMeta(name: "web.1", namespace: "team"),
                involvedObject: ObjectReference(apiVersion: "v1", kind: "Service", namespace: "team", name: "web"),
                reason: "Promoted", message: "canary promoted", source: EventSource(component: "fledge"), count: 1))
            #expect(event.reason == "Promoted")

            let namespaces = try await client.list(Namespace.self, namespace: nil)
            #expect(namespaces.items.compactMap(\.metadata.name).contains("team"))
            let services = try await client.list(Service.self, namespace: "team")
            #expect(services.items.map(\.metadata.name) == ["web"])
        }
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        try await withEmulatorClient { _, client in
            let first = try await client.create(Fixtures.service("web"))
            var a = first
            a.metadata.labels = ["who": "a"]
            _ = try await client.update(a)
            var b = first
            b.metadata.labels = ["who": "b"]
            do {
                _ = try await client.update(b)
                Issue.record("expected a conflict")
            } catch let e as KubeError {
                guard case .conflict(let s) = e else { Issue.record("\(e)"); return }
                #expect(s.reason == "Conflict")
                #expect(s.code == 409)
                #expect(s.message?.contains("the object has been modified") == true)
            }
        }
    }

    @Test func notFoundAlreadyExistsInvalidDecode() async throws {
        try await withEmulatorClient { _, client in
            do {
                _ = try await client.get(Deployment.self, name: "missing")
                Issue.record("expected not found")
            } catch let e as KubeError {
                guard case .notFound(let s) = e else { Issue.record("\(e)"); return }
                #expect(s.details?.name == "missing")
            }
            _ = try await client.create(Fixtures.service("dup"))
            do {
                _ = try await client.create(Fixtures.service("dup"))
                Issue.record("expected already exists")
            } catch let e as KubeError {
                guard case .alreadyExists = e else { Issue.record("\(e)"); return }
            }
            do {
                _ = try await client.create(Fixtures.deployment("bad", replicas: -1))
                Issue.record("expected invalid")
            } catch let e as KubeError {
                guard case .invalid = e else { Issue.record("\(e)"); return }
                #expect(e.causes.contains { $0.field == "spec.replicas" }, "causes: \(e.causes)")
            }
            do {
                _ = try await client.create(Fixtures.service("x", namespace: "no-such-namespace"))
                Issue.record("expected not found")
            } catch let e as KubeError {
                guard case .notFound = e else { Issue.record("\(e)"); return }
            }
        }
    }

    @Test func statusAndScaleSubresources() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.deployment("web", replicas: 1))
            let scale = try await KubeClient.retryOnConflict {
                var scale = try await client.getScale(Deployment.self, name: "web")
                #expect(scale.spec?.replicas == 1)
                #expect(scale.status?.selector == "app=web")
                scale.spec?.replicas = 4
                return try await client.updateScale(Deployment.self, scale)
            }
            #expect(scale.spec?.replicas == 4)
            #expect(try await client.get(Deployment.self, name: "web").spec?.replicas == 4)
            let patched = try await client.patchScale(Deployment.self, name: "web", .merge(["spec": ["replicas": 2]]))
            #expect(patched.spec?.replicas == 2)

            // Status writes go to /status only; spec changes through /status are ignored.
            // The emulator's deployment controller writes status too: re-read on conflict.
            let afterStatus = try await KubeClient.retryOnConflict {
                var d = try await client.getStatus(Deployment.self, name: "web")
                d.status = DeploymentStatus(observedGeneration: 99, replicas: 7)
                d.spec?.replicas = 50
                return try await client.updateStatus(d)
            }
            #expect(afterStatus.status?.replicas == 7)
            #expect(afterStatus.spec?.replicas == 2)
            let viaPatch = try await client.patchStatus(Deployment.self, name: "web", .merge(["status": ["observedGeneration": 100]]))
            #expect(viaPatch.status?.observedGeneration == 100)
            // A status change through the main resource is ignored.
            let afterMain = try await KubeClient.retryOnConflict {
                var main = try await client.get(Deployment.self, name: "web")
                main.status?.replicas = 1234
                return try await client.update(main)
            }
            #expect(afterMain.status?.replicas != 1234)
        }
    }

    @Test func allFourPatchTypesAndServerSideApply() async throws {
        try await withEmulatorClient { _, client in
            _ = try await client.create(Fixtures.deployment("web", replicas: 1))
            var d = try await client.patch(Deployment.self, name: "web", .merge(["metadata": ["labels": ["a": "1"]], "spec": ["replicas": 2]]))
            #expect(d.spec?.replicas == 2)
            #expect(d.metadata.labels?["a"] == "1")
            d = try await client.patch(Deployment.self, name: "web", .json([
                ["op": "test", "path": "/spec/replicas", "value": 2],
                ["op": "replace", "path": "/spec/replicas", "value": 3],
            ]))
            #expect(d.spec?.replicas == 3)
            // Strategic merge: containers merge by name, so the existing env survives.
            d = try await client.patch(Deployment.self, name: "web", .strategicMerge([
                "spec": ["template": ["spec": ["containers": [["name": "app", "image": "registry.example/web:3"]]]]],
            ]))
            let container = try #require(d.spec?.template?.spec?.containers.first)
            #expect(container.image == "registry.example/web:3")
            #expect(container.env == [EnvVar(name: "A", value: "1")])
            // A failing JSON patch test is a 422.
            await #expect(throws: KubeError.self) {
                try await client.patch(Deployment.self, name: "web", .json([["op": "test", "path": "/spec/replicas", "value": 9]]))
            }

            // Server-side apply creates, then updates, and records the field manager.
            var applied = Fixtures.service("applied")
            applied.metadata.labels = ["managed": "yes"]
            let first = try await client.apply(applied, fieldManager: "fledge")
            #expect(first.metadata.labels?["managed"] == "yes")
            #expect(first.metadata.managedFields?.contains { $0["manager"] == "fledge" && $0["operation"] == "Apply" } == true)
            applied.metadata.labels = ["managed": "still"]
            let second = try await client.apply(applied, fieldManager: "fledge", force: true)
            #expect(second.metadata.labels?["managed"] == "still")

            await #expect(throws: RequestError.fieldManagerRequired) {
                try await client.patch(Service.self, name: "applied", .apply([:]))
            }
        }
    }

    @Test func listPagingAndLabelSelectors() async throws {
        try await withEmulatorClient { _, client in
            for i in 0..<7 {
                var s = Fixtures.service("svc-\(i)")
                s.metadata.labels = ["track": i % 2 == 0 ? "stable" : "canary", "index": String(i)]
                _ = try await client.create(s)
            }
            let page = try await client.list(Service.self, namespace: "default", options: ListOptions(limit: 3))
            #expect(page.items.count == 3)
            #expect(page.metadata.continue?.isEmpty == false)
            let all = try await client.listAll(Service.self, namespace: "default", pageSize: 3)
            #expect(all.items.compactMap(\.metadata.name).filter { $0.hasPrefix("svc-") }.sorted() == (0..<7).map { "svc-\($0)" })
            #expect(all.metadata.resourceVersion?.isEmpty == false)

            let stable = try await client.listAll(Service.self, namespace: "default",
                                                  options: ListOptions(labelSelector: "track=stable"), pageSize: 2)
            #expect(stable.items.compactMap(\.metadata.name).sorted() == ["svc-0", "svc-2", "svc-4", "svc-6"])
            let set = try await client.list(Service.self, namespace: nil,
                                            options: ListOptions(labelSelector: "track in (canary),index notin (1)"))
            #expect(set.items.compactMap(\.metadata.name).sorted() == ["svc-3", "svc-5"])
            let byField = try await client.list(Service.self, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=svc-4"))
            #expect(byField.items.map(\.metadata.name) == ["svc-4"])
        }
    }

    @Test func dynamicObjectsForCustomResources() async throws {
        try await withEmulatorClient { _, client in
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "httproutes.gateway.networking.k8s.io"],
                "spec": [
                    "group": "gateway.networking.k8s.io", "scope": "Namespaced",
                    "names": ["plural": "httproutes", "singular": "httproute", "kind": "HTTPRoute", "listKind": "HTTPRouteList"],
                    "versions": [["name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                                  "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
                ],
            ]
            _ = try await client.create(.customResourceDefinitions, DynamicObject(crd))
            let route = HTTPRoute(metadata: ObjectMeta(name: "web", namespace: "default"), spec: HTTPRouteSpec(
                parentRefs: [ParentReference(name: "gateway")],
                rules: [HTTPRouteRule(matches: [HTTPRouteMatch(path: .init())], backendRefs: [
                    HTTPBackendRef(name: "web-stable", port: 80, weight: 95), HTTPBackendRef(name: "web-canary", port: 80, weight: 5),
                ])]))
            try await eventually(10, "CRD served") {
                (try? await client.create(route)) != nil
            }
            let patched = try await client.patch(HTTPRoute.self, name: "web", .json([
                ["op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 75],
                ["op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 25],
            ]))
            #expect(patched.spec?.rules?.first?.backendRefs?.map(\.weight) == [75, 25])
            let dynamic = try await client.get(HTTPRoute.descriptor, name: "web", namespace: "default")
            #expect(dynamic["spec"]?["parentRefs"] == [["name": "gateway"]])
            await #expect(throws: RequestError.self) {
                try await client.patch(HTTPRoute.self, name: "web", .strategicMerge([:]))
            }
        }
    }
}
