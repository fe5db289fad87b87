import Foundation
import KubeEmulator
import KubeJSON
import Testing

/// `networking.k8s.io/v1` Ingress as a built-in kind: storage, patches, status, validation, discovery, tables, kubectl.
@Suite struct IngressTests {
    let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

    static func ingress(_ name: String, host: String = "shop.example.com", service: String = "web-stable",
                        pathType: JSONValue = "Prefix", tls: Bool = false) -> JSONValue {
        var spec: JSONValue = [
            "ingressClassName": "nginx",
            "rules": [[
                "host": .string(host),
                "http": ["paths": [[
                    "path": "/", "pathType": pathType,
                    "backend": ["service": ["name": .string(service), "port": ["number": 80]]],
                ]]],
            ]],
        ]
        if tls { spec["tls"] = [["hosts": [.string(host)], "secretName": "shop-tls"]] }
        return ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test func createGetAndPatches() async throws {
        try await withEmulator { _, c in
            let created = try await c.post(ingresses, Self.ingress("shop"))
            #expect(created.status == 201)
            #expect(created.body[path: ["metadata", "generation"]] == 1)
            let got = try await c.get("\(ingresses)/shop")
            #expect(got.status == 200)
            #expect(got.body["kind"] == "Ingress")
            #expect(got.body["apiVersion"] == "networking.k8s.io/v1")
            #expect(got.body[path: ["spec", "rules"]] == Self.ingress("shop")[path: ["spec", "rules"]])

            // Strategic merge: rules are an atomic list, so the patch's list replaces the stored one.
            let smp = try await c.patch("\(ingresses)/shop", ["spec": ["rules": [["host": "new.example.com", "http": ["paths": [[
                "path": "/api", "pathType": "Exact", "backend": ["service": ["name": "api", "port": ["name": "http"]]],
            ]]]]]]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 200)
            let rules = smp.body[path: ["spec", "rules"]]?.arrayValue ?? []
            #expect(rules.count == 1)
            #expect(rules.first?["host"] == "new.example.com")
            #expect(rules.first?[path: ["http", "paths"]]?.arrayValue?.first?[path: ["backend", "service", "port"]] == ["name": "http"])
            #expect(smp.body[path: ["spec", "ingressClassName"]] == "nginx")
            #expect(smp.body[path: ["metadata", "generation"]] == 2)

            let merge = try await c.patch("\(ingresses)/shop", ["metadata": ["annotations": ["team": "shop"]]],
                                          type: "application/merge-patch+json")
            #expect(merge.body[path: ["metadata", "annotations", "team"]] == "shop")
            #expect(merge.body[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func serverSideApplyOwnsTheFieldsItSent() async throws {
        try await withEmulator { _, c in
            let apply = "application/apply-patch+yaml"
            let first = try await c.patch("\(ingresses)/applied?fieldManager=tester", Self.ingress("applied"), type: apply)
            #expect(first.status == 201)
            let managers = first.body[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managers.map { $0["manager"] } == ["tester"])
            var changed = Self.ingress("applied", service: "web-canary")
            changed[path: ["metadata", "annotations"]] = ["nginx.ingress.kubernetes.io/canary": "true"]
            let second = try await c.patch("\(ingresses)/applied?fieldManager=tester", changed, type: apply)
            #expect(second.status == 200)
            #expect(second.body[path: ["spec", "rules"]]?.arrayValue?.first?[path: ["http", "paths"]]?.arrayValue?.first?[path: ["backend", "service", "name"]] == "web-canary")
            #expect(second.body[path: ["metadata", "annotations", "nginx.ingress.kubernetes.io/canary"]] == "true")
        }
    }

    @Test func statusSubresource() async throws {
        try await withEmulator { _, c in
            try await c.post(ingresses, Self.ingress("shop"))
            let lb: JSONValue = ["loadBalancer": ["ingress": [["ip": "203.0.113.7"]]]]
            let patched = try await c.patch("\(ingresses)/shop/status", ["status": lb], type: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.body["status"] == lb)
            // A write to the main resource does not change status.
            var replaced = patched.body
            replaced["status"] = ["loadBalancer": ["ingress": [["ip": "198.51.100.1"]]]]
            let put = try await c.put("\(ingresses)/shop", replaced)
            #expect(put.status == 200)
            #expect(put.body["status"] == lb)
            #expect(try await c.get("\(ingresses)/shop/status").body["status"] == lb)
        }
    }

    @Test func schemaInvalidIngressIsRejectedNamingTheField() async throws {
        try await withEmulator { _, c in
            let wrongType = try await c.post(ingresses, Self.ingress("bad", pathType: 7))
            #expect(wrongType.status == 422)
            #expect(wrongType.body["reason"] == "Invalid")
            let field = "spec.rules[0].http.paths[0].pathType"
            #expect(wrongType.body[path: ["details", "causes"]]?.arrayValue?.contains { $0["field"]?.stringValue == field } == true)
            #expect(wrongType.body["message"]?.stringValue?.hasPrefix("Ingress.networking.k8s.io \"bad\" is invalid: \(field): Invalid value:") == true)

            let unsupported = try await c.post(ingresses, Self.ingress("bad", pathType: "Glob"))
            #expect(unsupported.status == 422)
            #expect(unsupported.body["message"] == #"Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].http.paths[0].pathType: Unsupported value: "Glob": supported values: "Exact", "ImplementationSpecific", "Prefix""#)

            var noPort = Self.ingress("bad")
            noPort[path: ["spec", "rules"]] = [["http": ["paths": [["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web"]]]]]]]
            let portless = try await c.post(ingresses, noPort)
            #expect(portless.status == 422)
            #expect(portless.body["message"] == #"Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].http.paths[0].backend: Required value: port name or number is required"#)

            var relative = Self.ingress("bad")
            relative[path: ["spec", "rules"]] = [["http": ["paths": [["path": "api", "pathType": "Exact",
                                                                          "backend": ["service": ["name": "web", "port": ["number": 80]]]]]]]]
            let relativeAnswer = try await c.post(ingresses, relative)
            #expect(relativeAnswer.status == 422)
            #expect(relativeAnswer.body[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.rules[0].http.paths[0].path")

            let empty: JSONValue = ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "bad"], "spec": [:]]
            let emptyAnswer = try await c.post(ingresses, empty)
            #expect(emptyAnswer.status == 422)
            #expect(emptyAnswer.body["message"]?.stringValue?.contains("either `defaultBackend` or `rules` must be specified") == true)
            #expect(try await c.get("\(ingresses)/bad").status == 404)
        }
    }

    @Test func discoveryAndOpenAPI() async throws {
        try await withEmulator { _, c in
            let groups = try await c.get("/apis").body["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(groups.contains("networking.k8s.io"))
            let resources = try await c.get("/apis/networking.k8s.io/v1").body["resources"]?.arrayValue ?? []
            let ingress = resources.first { $0["name"] == "ingresses" }
            #expect(ingress?["singularName"] == "ingress")
            #expect(ingress?["shortNames"] == ["ing"])
            #expect(ingress?["namespaced"] == true)
            #expect(ingress?["kind"] == "Ingress")
            #expect(resources.contains { $0["name"] == "ingresses/status" })

            let aggregated = try await c.get("/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json").body
            let group = aggregated["items"]?.arrayValue?.first { $0[path: ["metadata", "name"]] == "networking.k8s.io" }
            let entry = group?["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first { $0["resource"] == "ingresses" }
            #expect(entry?["scope"] == "Namespaced")
            #expect(entry?["singularResource"] == "ingress")
            #expect(entry?["subresources"]?.arrayValue?.first?["subresource"] == "status")

            let url = try await c.get("/openapi/v3").body[path: ["paths", "apis/networking.k8s.io/v1", "serverRelativeURL"]]?.stringValue ?? ""
            let doc = try await c.get(url).body
            // kubectl finds a kind's schema by its group-version-kind tag, not by its name.
            let gvk: JSONValue = [["group": "networking.k8s.io", "version": "v1", "kind": "Ingress"]]
            let schema = doc[path: ["components", "schemas"]]?.objectValue?.values.first { $0["x-kubernetes-group-version-kind"] == gvk }
            #expect(schema != nil)
            let path = schema?[path: ["properties", "spec", "properties", "rules", "items", "properties", "http", "properties", "paths", "items"]]
            #expect(path?[path: ["properties", "pathType", "type"]] == "string")
            #expect(path?[path: ["properties", "backend", "properties", "service", "properties", "port", "properties", "number", "type"]] == "integer")
            #expect(doc[path: ["paths", "/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}/status", "patch"]] != nil)
        }
    }

    @Test func tableColumns() async throws {
        try await withEmulator { _, c in
            var many = Self.ingress("many", tls: true)
            many[path: ["spec", "rules"]] = .array(["a.example", "b.example", "c.example", "d.example", "e.example"].map { host in
                ["host": .string(host), "http": ["paths": [["path": "/", "pathType": "Prefix",
                                                            "backend": ["service": ["name": "web", "port": ["number": 80]]]]]]]
            })
            try await c.post(ingresses, many)
            var bare = Self.ingress("bare")
            bare[path: ["spec", "ingressClassName"]] = nil
            bare[path: ["spec", "rules"]] = nil
            bare[path: ["spec", "defaultBackend"]] = ["service": ["name": "web", "port": ["number": 80]]]
            try await c.post(ingresses, bare)
            try await c.patch("\(ingresses)/many/status", ["status": ["loadBalancer": ["ingress": [
                ["ip": "10.0.0.2"], ["hostname": "lb.example"], ["ip": "10.0.0.1"], ["ip": "10.0.0.2"],
            ]]]], type: "application/merge-patch+json")

            let table = try await c.get(ingresses, accept: tableAccept).body
            #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Class", "Hosts", "Address", "Ports", "Age"])
            let rows = table["rows"]?.arrayValue?.compactMap { $0["cells"]?.arrayValue } ?? []
            #expect(rows.map { Array($0.prefix(5)) } == [
                ["bare", "<none>", "*", "", "80"],
                ["many", "nginx", "a.example,b.example,c.example + 2 more...", "10.0.0.1,10.0.0.2,lb.example", "80, 443"],
            ])
        }
    }

    @Test func kubectlAppliesAndPrintsIngresses() async throws {
        try await withEmulator { emulator, _ in
            let k = try Kubectl.make(for: emulator, name: "ingress")
            let yaml = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: shop
                  annotations:
                    kubernetes.io/ingress.class: nginx
                spec:
                  ingressClassName: nginx
                  tls:
                  - hosts: [shop.example.com]
                    secretName: shop-tls
                  rules:
                  - host: shop.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: shop-stable
                            port:
                              number: 80
                """
            #expect(try await k.ok("apply", "-f", "-", stdin: yaml) == "ingress.networking.k8s.io/shop created\n")
            #expect(try await k.ok("apply", "-f", "-", stdin: yaml) == "ingress.networking.k8s.io/shop unchanged\n")
            let changed = yaml.replacingOccurrences(of: "number: 80", with: "number: 8080")
            #expect(try await k.ok("apply", "-f", "-", stdin: changed) == "ingress.networking.k8s.io/shop configured\n")
            #expect(try await k.ok("apply", "--server-side", "-f", "-", stdin: changed) == "ingress.networking.k8s.io/shop serverside-applied\n")
            #expect(try await k.ok("get", "ing", "shop", "-o", "jsonpath={.spec.rules[0].http.paths[0].backend.service.port.number}") == "8080")

            let table = try await k.ok("get", "ingress")
            let lines = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"])
            #expect(lines.dropFirst().first?.prefix(5) == ["shop", "nginx", "shop.example.com", "80,", "443"])

            let invalid = try await k.run("apply", "-f", "-", stdin: changed.replacingOccurrences(of: "pathType: Prefix", with: "pathType: 7"))
            #expect(invalid.code != 0)
            #expect(invalid.err.contains("spec.rules[0].http.paths[0].pathType"))
            let unknown = try await k.run("apply", "-f", "-", stdin: changed.replacingOccurrences(of: "ingressClassName: nginx", with: "ingressClassName: nginx\n  bogus: 1"))
            #expect(unknown.code != 0)
            #expect(unknown.err.contains("unknown field \"spec.bogus\""))
            #expect(try await k.ok("delete", "ingress", "shop").hasPrefix("ingress.networking.k8s.io \"shop\" deleted"))
            #expect(try await k.ok("get", "ingress", "-o", "name").isEmpty)
        }
    }
}
