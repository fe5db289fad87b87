import Foundation
import KubeJSON
import Testing
@testable import Kube

@Suite struct RequestBuilderTests {
    @Test func pathsForCoreGroupAndNamedGroupsAndSubresources() throws {
        #expect(try RequestBuilder(.services, namespace: "x").get("y").path == "/api/v1/namespaces/x/services/y")
        #expect(try RequestBuilder(.deployments, namespace: "x").get("y", subresource: "status").path
            == "/apis/apps/v1/namespaces/x/deployments/y/status")
        #expect(try RequestBuilder(.deployments, namespace: "x").get("y", subresource: "scale").path
            == "/apis/apps/v1/namespaces/x/deployments/y/scale")
        #expect(try RequestBuilder(.leases, namespace: "kube-system").get("fledge").path
            == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/fledge")
        #expect(RequestBuilder(.deployments).list().path == "/apis/apps/v1/deployments", "all namespaces")
        #expect(try RequestBuilder(.namespaces, namespace: "ignored").get("prod").path == "/api/v1/namespaces/prod",
                "cluster-scoped ignores the namespace")
        #expect(RequestBuilder(.namespaces).list().path == "/api/v1/namespaces")
        #expect(ResourceDescriptor.httpRoutes.apiVersion == "gateway.networking.k8s.io/v1")
        #expect(ResourceDescriptor.services.apiVersion == "v1")
    }

    @Test func listQueryIsEscaped() {
        let r = RequestBuilder(.pods, namespace: "ns").list(ListOptions(
            labelSelector: "app=web,track in (stable,canary)", fieldSelector: "status.phase!=Running", limit: 50,
            continueToken: "abc+/=", resourceVersion: "0"))
        #expect(r.method == .get)
        #expect(r.verb == "list")
        #expect(r.queryString == "labelSelector=app%3Dweb%2Ctrack%20in%20%28stable%2Ccanary%29&fieldSelector=status.phase%21%3DRunning"
            + "&limit=50&continue=abc%2B%2F%3D&resourceVersion=0")
        #expect(r.queryValue("labelSelector") == "app=web,track in (stable,canary)")
        #expect(r.pathAndQuery.hasPrefix("/api/v1/namespaces/ns/pods?labelSelector="))
    }

    @Test func watchQuery() {
        let r = RequestBuilder(.deployments, namespace: "ns").watch(WatchOptions(resourceVersion: "42", timeoutSeconds: 30))
        #expect(r.isWatch)
        #expect(r.queryString == "watch=1&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=30")
        let plain = RequestBuilder(.deployments).watch(WatchOptions(allowWatchBookmarks: false, timeoutSeconds: nil))
        #expect(plain.queryString == "watch=1")
    }

    @Test func createUpdateDeleteBodies() throws {
        let b = RequestBuilder(.services, namespace: "ns")
        let create = try b.create(["kind": "Service"], options: WriteOptions(fieldManager: "fledge", dryRun: true))
        #expect(create.method == .post)
        #expect(create.path == "/api/v1/namespaces/ns/services")
        #expect(create.headers["Content-Type"] == "application/json")
        #expect(create.queryString == "dryRun=All&fieldManager=fledge")
        #expect(try JSONValue(parsing: create.body!) == ["kind": "Service"])

        let update = try RequestBuilder(.deployments, namespace: "ns").update("web", ["a": 1], subresource: "status")
        #expect(update.method == .put)
        #expect(update.path == "/apis/apps/v1/namespaces/ns/deployments/web/status")

        let delete = try b.delete("web", options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u-1",
                                                               preconditionResourceVersion: "7"))
        #expect(delete.method == .delete)
        #expect(delete.path == "/api/v1/namespaces/ns/services/web")
        #expect(try JSONValue(parsing: delete.body!) == [
            "apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Foreground",
            "preconditions": ["uid": "u-1", "resourceVersion": "7"],
        ])
        let collection = try b.deleteCollection(ListOptions(labelSelector: "a=b"))
        #expect(collection.verb == "deletecollection")
        #expect(collection.pathAndQuery == "/api/v1/namespaces/ns/services?labelSelector=a%3Db")
    }

    @Test func patchContentTypesAndApplyOptions() throws {
        let b = RequestBuilder(.deployments, namespace: "ns")
        #expect(try b.patch("web", .merge(["a": 1])).headers["Content-Type"] == "application/merge-patch+json")
        let json = try b.patch("web", .json([["op": "replace", "path": "/spec/replicas", "value": 2]]))
        #expect(json.headers["Content-Type"] == "application/json-patch+json")
        #expect(try JSONValue(parsing: json.body!) == [["op": "replace", "path": "/spec/replicas", "value": 2]])
        #expect(try b.patch("web", .strategicMerge(["a": 1])).headers["Content-Type"] == "application/strategic-merge-patch+json")
        let apply = try b.patch("web", .apply(["a": 1]), options: WriteOptions(fieldManager: "fledge", force: true))
        #expect(apply.headers["Content-Type"] == "application/apply-patch+yaml")
        #expect(apply.queryString == "fieldManager=fledge&force=true")
        let status = try b.patch("web", .merge(["status": ["x": 1]]), subresource: "status")
        #expect(status.path == "/apis/apps/v1/namespaces/ns/deployments/web/status")
        #expect(!status.isIdempotent)
    }

    @Test func invalidRequestsAreRejectedBeforeSending() {
        let b = RequestBuilder(.deployments, namespace: "ns")
        #expect(throws: RequestError.fieldManagerRequired) { try b.patch("web", .apply([:])) }
        #expect(throws: RequestError.strategicMergeUnsupported("httproutes.gateway.networking.k8s.io/v1")) {
            try RequestBuilder(.httpRoutes, namespace: "ns").patch("r", .strategicMerge([:]))
        }
        #expect(throws: RequestError.invalidName("a/b")) { try b.get("a/b") }
        #expect(throws: RequestError.invalidName("")) { try b.get("") }
        #expect(throws: RequestError.namespaceRequired("deployments.apps/v1")) { try RequestBuilder(.deployments).get("web") }
        #expect(throws: RequestError.namespaceRequired("deployments.apps/v1")) { try RequestBuilder(.deployments).create([:]) }
    }

    @Test func pathSegmentsAreEscaped() {
        #expect(ResourceDescriptor.configMaps.path(namespace: "n s", name: "a:b@c%") == "/api/v1/namespaces/n%20s/configmaps/a:b@c%25")
        #expect(PathEscaping.query("ünï") == "%C3%BCn%C3%AF")
    }
}
