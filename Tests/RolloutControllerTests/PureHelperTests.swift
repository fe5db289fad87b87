import Foundation
import KubeJSON
import KubeRuntime
import RolloutAPI
@testable import RolloutController
import Testing

@Suite struct ResourceAttributesTests {
    @Test func userAttributesAreKeptVerbatimAndOursAppended() {
        let merged = ResourceAttributes.merge(user: "team=payments,region=eu%2Dwest", setting: [("service.version", "2.0.0"), ("deployment.track", "canary")])
        #expect(merged == "team=payments,region=eu%2Dwest,service.version=2.0.0,deployment.track=canary")
    }

    @Test func oursReplaceTheSameKeysInPlace() {
        let merged = ResourceAttributes.merge(user: "service.version=old,a=1,deployment.track=x", setting: [("service.version", "2.0.0"), ("deployment.track", "stable")])
        #expect(merged == "service.version=2.0.0,a=1,deployment.track=stable")
    }

    @Test func emptyInput() {
        #expect(ResourceAttributes.merge(user: "", setting: [("service.version", "1")]) == "service.version=1")
        #expect(ResourceAttributes.merge(user: "", setting: []) == "")
        #expect(ResourceAttributes.parse("").isEmpty)
    }

    @Test(arguments: [
        ("a,b", "a%2Cb"), ("k=v", "k%3Dv"), ("100%", "100%25"), ("café", "caf%C3%A9"), ("a b", "a%20b"),
        ("1.2.3-rc.1+build", "1.2.3-rc.1+build"),
    ])
    func valuesArePercentEncoded(value: String, encoded: String) {
        #expect(ResourceAttributes.encode(value) == encoded)
        #expect(ResourceAttributes.merge(user: "x=1", setting: [("service.version", value)]) == "x=1,service.version=\(encoded)")
    }

    @Test func malformedUserEntriesSurvive() {
        let merged = ResourceAttributes.merge(user: "justakey,a=1", setting: [("deployment.track", "canary")])
        #expect(merged == "justakey,a=1,deployment.track=canary")
    }
}

@Suite struct TemplateDecoratorTests {
    func containers(_ t: JSONValue, _ list: String = "containers") -> [JSONValue] {
        t[path: ["spec", list]]?.arrayValue ?? []
    }

    func env(_ c: JSONValue) -> [JSONValue] { c["env"]?.arrayValue ?? [] }

    @Test func labelsAreAddedAndTheUsersKept() {
        let t = TemplateDecorator.decorate(podTemplate(tag: "2.0.0"), rollout: "shop", track: .canary, version: "2.0.0")
        #expect(t[path: ["metadata", "labels"]] == [
            "app": "shop", "fledge.dev/rollout": "shop", "fledge.dev/track": "canary", "app.kubernetes.io/version": "2.0.0",
        ])
    }

    @Test func everyContainerAndInitContainerGetsTheAttributes() {
        let template: JSONValue = [
            "metadata": [:],
            "spec": [
                "initContainers": [["name": "migrate", "image": "m:1"]],
                "containers": [["name": "a", "image": "a:1"], ["name": "b", "image": "b:1", "env": [["name": "X", "value": "1"]]]],
            ],
        ]
        let t = TemplateDecorator.decorate(template, rollout: "shop", track: .stable, version: "1.0.0")
        let expected: JSONValue = ["name": "OTEL_RESOURCE_ATTRIBUTES", "value": "service.version=1.0.0,deployment.track=stable"]
        for c in containers(t) + containers(t, "initContainers") {
            #expect(env(c).filter { $0["name"] == "OTEL_RESOURCE_ATTRIBUTES" } == [expected], "\(c["name"]?.stringValue ?? "")")
        }
        #expect(env(containers(t)[1]).first == ["name": "X", "value": "1"])
    }

    @Test func aUserValueIsMergedInPlaceAndEnvOrderKept() {
        let userEnv: [JSONValue] = [
            ["name": "A", "value": "1"],
            ["name": "OTEL_RESOURCE_ATTRIBUTES", "value": "team=payments,service.version=ignored"],
            ["name": "B", "value": "2"],
        ]
        let t = TemplateDecorator.decorate(podTemplate(tag: "2.0.0", env: userEnv), rollout: "shop", track: .canary, version: "2.0.0")
        let e = env(containers(t)[0])
        #expect(e.map { $0["name"]?.stringValue ?? "" } == ["A", "OTEL_RESOURCE_ATTRIBUTES", "B"])
        #expect(e[1]["value"] == "team=payments,service.version=2.0.0,deployment.track=canary")
    }

    @Test func aValueFromIsRenamedAndReferencedInFrontOfOurs() {
        let from: JSONValue = ["configMapKeyRef": ["name": "otel", "key": "attributes"]]
        let userEnv: [JSONValue] = [
            ["name": "A", "value": "1"],
            ["name": "OTEL_RESOURCE_ATTRIBUTES", "valueFrom": from],
            ["name": "B", "value": "2"],
        ]
        let t = TemplateDecorator.decorate(podTemplate(tag: "3.1.0", env: userEnv), rollout: "shop", track: .stable, version: "3.1.0")
        let e = env(containers(t)[0])
        #expect(e.map { $0["name"]?.stringValue ?? "" } == ["A", "FLEDGE_USER_OTEL_RESOURCE_ATTRIBUTES", "OTEL_RESOURCE_ATTRIBUTES", "B"])
        #expect(e[1]["valueFrom"] == from)
        #expect(e[1]["value"] == nil)
        #expect(e[2]["value"] == "$(FLEDGE_USER_OTEL_RESOURCE_ATTRIBUTES),service.version=3.1.0,deployment.track=stable")
    }

    @Test func versionsNeedingEncodingAreEncodedInTheAttributesOnly() {
        let t = TemplateDecorator.decorate(podTemplate(tag: "x"), rollout: "shop", track: .canary, version: "1,2=3")
        #expect(env(containers(t)[0]).last?["value"] == "service.version=1%2C2%3D3,deployment.track=canary")
    }

    @Test func theUsersTemplateIsOtherwiseUnchanged() {
        var original = podTemplate(tag: "2.0.0")
        original["spec"]?["terminationGracePeriodSeconds"] = 5
        let t = TemplateDecorator.decorate(original, rollout: "shop", track: .canary, version: "2.0.0")
        #expect(t[path: ["spec", "terminationGracePeriodSeconds"]] == 5)
        #expect(containers(t)[0]["ports"] == containers(original)[0]["ports"])
        #expect(containers(t)[0]["image"] == "ghcr.io/acme/shop:2.0.0")
    }
}

@Suite struct TimestampsTests {
    @Test func millisecondsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_750_000_123.456)
        let text = Timestamps.millis(date)
        #expect(text == "2025-06-15T15:08:43.456Z")
        let parsed = try #require(Timestamps.parse(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.0005)
    }

    @Test func secondsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_750_000_123)
        #expect(Timestamps.seconds(date) == "2025-06-15T15:08:43Z")
        #expect(Timestamps.parse(Timestamps.seconds(date)) == date)
        // Whole seconds drop the fraction.
        #expect(Timestamps.seconds(Date(timeIntervalSince1970: 1_750_000_123.9)) == "2025-06-15T15:08:43Z")
    }

    @Test func parsesWhatOthersWrite() {
        #expect(Timestamps.parse("2025-06-15T15:08:43+02:00") == Date(timeIntervalSince1970: 1_750_000_123 - 7200))
        #expect(Timestamps.parse("not a time") == nil)
        #expect(Timestamps.parse(nil) == nil)
    }
}

@Suite struct StaleCacheGuardTests {
    @Test func theReplacedVersionIsStaleUntilAnotherIsSeen() {
        let g = StaleCacheGuard()
        g.wrote("deployments/ns/a", replacing: "10")
        #expect(g.isStale("deployments/ns/a", cachedVersion: "10"))
        #expect(g.isStale("deployments/ns/a", cachedVersion: "10"))
        #expect(!g.isStale("deployments/ns/a", cachedVersion: "11"))
        // Seeing a newer version clears the entry: an older one is no longer remembered.
        #expect(!g.isStale("deployments/ns/a", cachedVersion: "10"))
    }

    @Test func otherObjectsAreUnaffected() {
        let g = StaleCacheGuard()
        g.wrote("rollouts/ns/a", replacing: "5")
        #expect(!g.isStale("rollouts/ns/b", cachedVersion: "5"))
        #expect(g.isStale("rollouts/ns/a", cachedVersion: "5"))
    }

    @Test func anEmptyVersionIsNotRememberedAndForgetClears() {
        let g = StaleCacheGuard()
        g.wrote("x", replacing: "")
        #expect(!g.isStale("x", cachedVersion: ""))
        g.wrote("y", replacing: "3")
        g.forget("y")
        #expect(!g.isStale("y", cachedVersion: "3"))
    }

    @Test func theLatestWriteWins() {
        let g = StaleCacheGuard()
        g.wrote("x", replacing: "1")
        g.wrote("x", replacing: "2")
        #expect(!g.isStale("x", cachedVersion: "1"))
    }
}

@Suite struct DeploymentObservationTests {
    /// Mid rolling update (old pods still serving): only the pods certainly on the new template count.
    @Test func oldReplicaSetsPodsNeverCountAsTheNewTemplates() {
        var d = DeploymentObservation(name: "shop-canary", templateHash: "new", specReplicas: 2, generation: 3, observedGeneration: 3,
                                      updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3)
        d.totalReplicas = 4  // 2 new (1 available) + 2 old (both available)
        #expect(d.available(running: "new") == 1)
        #expect(!d.isSettled(replicas: 2, hash: "new"))
        d.availableReplicas = 4
        #expect(d.available(running: "new") == 2)
        #expect(!d.isSettled(replicas: 2, hash: "new"), "old pods still running")
        d.totalReplicas = 2
        d.availableReplicas = 2
        #expect(d.available(running: "new") == 2)
        #expect(d.isSettled(replicas: 2, hash: "new"))
        d.totalReplicas = nil  // unknown: as before
        #expect(d.isSettled(replicas: 2, hash: "new"))
        #expect(d.available(running: "other") == 0)
    }
}

/// What a leader read fresh is forgotten with its Rollout: one created again under the name is read afresh.
@Test func freshReadsAreForgottenWithTheirRollout() {
    let reads = FreshReads()
    for key in ["rollouts/ns/shop", "deployments/ns/shop-stable", "deployments/ns/shop-canary", "rollouts/ns/other"] { reads.confirm(key) }
    reads.forget(namespace: "ns", rollout: "shop")
    #expect(!reads.isConfirmed("rollouts/ns/shop") && !reads.isConfirmed("deployments/ns/shop-stable")
            && !reads.isConfirmed("deployments/ns/shop-canary"))
    #expect(reads.isConfirmed("rollouts/ns/other"))
}

/// The echo of a status write is low-priority work; a change to what the Rollout asks for is due work.
@Test func onlyStatusChangesAreLowPriority() {
    let before = makeRollout(status: RolloutStatus(phase: .progressing))
    var echo = before
    echo.status?.phase = .paused
    echo.metadata.resourceVersion = "101"
    #expect(RolloutEvents.priority(.updated(old: before, new: echo)) == .low)
    var edited = echo
    edited.spec?.paused = true
    edited.metadata.generation = 2
    #expect(RolloutEvents.priority(.updated(old: before, new: edited)) == .normal)
    var acted = echo
    acted.metadata.annotations = [FledgeNames.actionAnnotation: "promote:abc"]
    #expect(RolloutEvents.priority(.updated(old: before, new: acted)) == .normal)
    var deleting = echo
    deleting.metadata.deletionTimestamp = "2026-12-08T00:00:00Z"
    #expect(RolloutEvents.priority(.updated(old: before, new: deleting)) == .normal)
    #expect(RolloutEvents.priority(.added(before)) == .normal)
}
