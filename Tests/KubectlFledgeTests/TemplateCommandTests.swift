@testable import FledgeCLI
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// `set image` and `undo`: the two plugin commands that write `spec.template` (what `kubectl set image` and
/// `kubectl rollout undo` do for a Deployment and cannot do for a custom resource), each one guarded JSON patch.
struct TemplateCommandTests {
    static func template(_ image: String) -> JSONValue {
        ["metadata": ["labels": ["app": "web"]],
         "spec": ["initContainers": [["name": "migrate", "image": "registry.example/migrate:1"]],
                  "containers": [["name": "web", "image": .string(image)], ["name": "proxy", "image": "registry.example/proxy:1"]]]]
    }

    static func rollout(image: String = "registry.example/web:2.0.0", status: RolloutStatus? = nil) -> Rollout {
        var r = Sample.rollout(status: status)
        r.spec?.template = template(image)
        return r
    }

    @Test func setImageChangesOnlyTheNamedContainers() async throws {
        try await PluginCluster.with { cluster in
            let before = try await cluster.create(Self.rollout())
            let set = await cluster.plugin(["set", "image", "web", "web=registry.example/web:3.0.0"])
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.lines == ["rollout.fledge.dev/web image updated: web=registry.example/web:3.0.0"])
            var expected = before
            expected[path: ["spec", "template"]] = Self.template("registry.example/web:3.0.0")
            let after = try await cluster.stored("web")
            #expect(after["spec"] == expected["spec"])
            let again = await cluster.plugin(["set", "image", "web", "web=registry.example/web:3.0.0"])
            #expect(again.lines == ["rollout.fledge.dev/web unchanged"])
            let all = await cluster.plugin(["set", "image", "web", "*=registry.example/all:9"])
            #expect(all.status == 0, "\(all.stderr)")
            let images = try await cluster.stored("web")[path: ["spec", "template", "spec"]]
            #expect((images?["containers"]?.arrayValue ?? []).map { $0["image"] } == ["registry.example/all:9", "registry.example/all:9"])
            #expect(images?["initContainers"]?.arrayValue?.first?["image"] == "registry.example/all:9")
            let wrong = await cluster.plugin(["set", "image", "web", "nope=x:1"])
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("no container \"nope\" in rollout \"web\"; its containers: migrate, proxy, web"), "\(wrong.stderr)")
            let usage = await cluster.plugin(["set", "image", "web", "web"])
            #expect(usage.status == 2)
        }
    }

    @Test func setImageNeverOverwritesAConcurrentChange() async throws {
        try await PluginCluster.with { cluster in
            try await cluster.create(Self.rollout())
            // The write is a JSON patch whose first operation tests the resourceVersion read.
            try await cluster.admin(.delete, "requests")
            #expect(await cluster.plugin(["set", "image", "web", "web=registry.example/web:3.0.0"]).status == 0)
            let patch = try #require(try await cluster.writes().last)
            #expect(patch["contentType"] == "application/json-patch+json")
            #expect(patch["body"]?.arrayValue?.first?["op"] == "test")
            #expect(patch["body"]?.arrayValue?.first?["path"] == "/metadata/resourceVersion")
            try await cluster.admin(.post, "faults", ["path": "/rollouts/web", "verb": "PATCH", "code": 409])
            let raced = await cluster.plugin(["set", "image", "web", "web=registry.example/web:4.0.0"])
            #expect(raced.status == 1)
            #expect(raced.stderr.contains("changed while it was being written; nothing was changed"), "\(raced.stderr)")
        }
    }

    static func promoted(_ version: String) -> PromotedTemplate {
        PromotedTemplate(hash: "hash-\(version)", version: version, template: template("registry.example/web:\(version)"),
                         promotedAt: "2026-12-07T00:00:00Z")
    }

    @Test func undoDuringACanaryPutsBackTheStableTemplate() async throws {
        try await PluginCluster.with { cluster in
            var status = Sample.canaryStatus(step: 1)
            status.stableTemplateHash = "hash-1.0.0"
            status.canaryTemplateHash = "hash-2.0.0"
            status.stableTemplates = [Self.promoted("1.0.0")]
            try await cluster.create(Self.rollout(status: status))
            let undo = await cluster.plugin(["undo", "web"])
            #expect(undo.status == 0, "\(undo.stderr)")
            #expect(undo.lines == ["rollout.fledge.dev/web back to stable version 1.0.0: the canary 2.0.0 is dropped"])
            #expect(try await cluster.stored("web")[path: ["spec", "template"]] == Self.template("registry.example/web:1.0.0"))
        }
    }

    @Test func undoWithNoCanaryPutsBackThePreviousPromotedTemplate() async throws {
        try await PluginCluster.with { cluster in
            var status = Sample.healthy
            status.stableTemplateHash = "hash-2.0.0"
            status.stableTemplates = [Self.promoted("2.0.0"), Self.promoted("1.0.0")]
            try await cluster.create(Self.rollout(status: status))
            let undo = await cluster.plugin(["undo", "web"])
            #expect(undo.status == 0, "\(undo.stderr)")
            #expect(undo.lines.first?.contains("back to version 1.0.0, promoted before 2.0.0: a new canary") == true, "\(undo.lines)")
            #expect(try await cluster.stored("web")[path: ["spec", "template"]] == Self.template("registry.example/web:1.0.0"))

            var lone = Sample.healthy
            lone.stableTemplates = [Self.promoted("2.0.0")]
            try await cluster.create(Sample.rollout(name: "lone", status: lone))
            let nothing = await cluster.plugin(["undo", "lone"])
            #expect(nothing.status == 1)
            #expect(nothing.stderr.contains("no earlier promoted template recorded"), "\(nothing.stderr)")
        }
    }
}
