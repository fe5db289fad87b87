import Kube
import KubeJSON
import RolloutAPI
import Testing

@Suite struct RolloutDurationTests {
    @Test(arguments: [
        ("1h30m", Duration.seconds(5400)),
        ("500ms", .milliseconds(500)),
        ("0s", .zero),
        ("0", .zero),
        ("30s", .seconds(30)),
        ("10m", .seconds(600)),
        ("1h", .seconds(3600)),
        ("2h0m5s250ms", .milliseconds(7_205_250)),
        ("90s", .seconds(90)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(RolloutDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "10", "-5s", "1.5h", "10 minutes", "10 m", "5d", "1us", "m", "s10", "1h 30m", " 1h", "1H",
                      "9999999999s"])
    func rejects(text: String) {
        #expect(RolloutDuration.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(5400), "1h30m"),
        (.milliseconds(500), "500ms"),
        (.zero, "0s"),
        (.seconds(45), "45s"),
        (.seconds(600), "10m"),
        (.seconds(3600), "1h"),
        (.milliseconds(61_001), "1m1s1ms"),
    ])
    func formats(d: Duration, text: String) {
        #expect(RolloutDuration.format(d) == text)
        #expect(RolloutDuration.parse(text) == d)
    }

    @Test func secondsAsDouble() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.seconds(600).seconds == 600)
    }
}

@Suite struct RolloutActionTests {
    @Test(arguments: [
        ("promote:abc", RolloutAction.Verb.promote, "abc"),
        ("promote-full:x", .promoteFull, "x"),
        ("abort:2026-03-01T10:00:00Z", .abort, "2026-03-01T10:00:00Z"),
        ("retry:r-1", .retry, "r-1"),
    ])
    func parses(value: String, verb: RolloutAction.Verb, id: String) throws {
        let action = try RolloutAction.parse(value)
        #expect(action == RolloutAction(verb: verb, id: id))
        #expect(action.annotationValue == value)
    }

    @Test(arguments: [
        ("pause:abc", "unknown action \"pause\""),
        ("Promote:abc", "unknown action \"Promote\""),
        ("promote:", "empty id"),
        ("promote", "is not <action>:<id>"),
        ("", "is not <action>:<id>"),
    ])
    func rejects(value: String, says: String) {
        #expect {
            _ = try RolloutAction.parse(value)
        } throws: { error in
            (error as? RolloutActionError)?.message.contains(says) == true
        }
    }

    @Test func verbsAreThePinnedOnes() {
        #expect(RolloutAction.Verb.allCases.map(\.rawValue) == ["promote", "promote-full", "abort", "retry", "reanalyze"])
    }

    @Test func pinnedNames() {
        #expect(FledgeNames.actionAnnotation == "fledge.dev/action")
        #expect(FledgeNames.rolloutLabel == "fledge.dev/rollout")
        #expect(FledgeNames.trackLabel == "fledge.dev/track")
        #expect(FledgeNames.versionLabel == "app.kubernetes.io/version")
        #expect(FledgeNames.stableDeployment("shop") == "shop-stable")
        #expect(FledgeNames.canaryDeployment("shop") == "shop-canary")
        #expect(FledgeNames.service("shop") == "shop")
        #expect(FledgeNames.stableService("shop") == "shop-stable")
        #expect(FledgeNames.canaryService("shop") == "shop-canary")
        #expect(Track.allCases.map(\.rawValue) == ["stable", "canary"])
        #expect(RolloutPhase.allCases.map(\.rawValue) == ["Healthy", "Progressing", "Paused", "Degraded"])
        #expect(RolloutConditionType.allCases.map(\.rawValue)
                == ["Available", "Progressing", "Paused", "Completed", "InvalidSpec", "TrafficRouted", "MetricsAvailable", "WritesAccepted"])
    }
}

@Suite struct TemplateHashTests {
    static let template: JSONValue = [
        "metadata": ["labels": ["app": "shop", "tier": "web"]],
        "spec": ["containers": [["name": "shop", "image": "shop:1", "env": [["name": "A", "value": "1"]]]]],
    ]

    @Test func stableUnderKeyReordering() throws {
        let text = #"{"spec":{"containers":[{"env":[{"value":"1","name":"A"}],"image":"shop:1","name":"shop"}]},"metadata":{"labels":{"tier":"web","app":"shop"}}}"#
        let reordered = try JSONValue(parsing: text)
        #expect(TemplateHash.of(template: reordered, version: "1") == TemplateHash.of(template: Self.template, version: "1"))
    }

    @Test func sameInputSameHash() {
        #expect(TemplateHash.of(template: Self.template, version: "1") == TemplateHash.of(template: Self.template, version: "1"))
    }

    @Test func changesWithTheImageOrTheVersion() {
        var newImage = Self.template
        newImage[path: ["spec", "containers"]] = [["name": "shop", "image": "shop:2", "env": [["name": "A", "value": "1"]]]]
        let base = TemplateHash.of(template: Self.template, version: "1")
        #expect(TemplateHash.of(template: newImage, version: "1") != base)
        #expect(TemplateHash.of(template: Self.template, version: "2") != base)
        var newEnv = Self.template
        newEnv[path: ["spec", "containers"]] = [["name": "shop", "image": "shop:1", "env": [["name": "A", "value": "2"]]]]
        #expect(TemplateHash.of(template: newEnv, version: "1") != base)
    }

    @Test func isAValidLabelValueOfTenCharacters() {
        let hash = TemplateHash.of(template: Self.template, version: "1")
        #expect(hash.count == 10)
        #expect(LabelMatching.isValidLabelValue(hash))
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }
}

@Suite struct LabelMatchingTests {
    @Test(arguments: ["", "a", "1.0.0", "v1_2-3", "A.b", String(repeating: "x", count: 63)])
    func validLabelValues(_ value: String) {
        #expect(LabelMatching.isValidLabelValue(value))
    }

    @Test(arguments: ["-a", "a-", ".a", "a b", "1.0+build", "é", String(repeating: "x", count: 64), "a/b"])
    func invalidLabelValues(_ value: String) {
        #expect(!LabelMatching.isValidLabelValue(value))
    }

    @Test(arguments: [
        ("1.0+build", "1.0-build"),
        ("--x--", "x"),
        ("+++", "unknown"),
        ("", "unknown"),
        ("€1", "1"),
        (String(repeating: "a", count: 70), String(repeating: "a", count: 63)),
        (String(repeating: "a", count: 62) + "-b", String(repeating: "a", count: 62)),
    ])
    func sanitized(raw: String, expected: String) {
        let value = LabelMatching.sanitizedLabelValue(raw)
        #expect(value == expected)
        #expect(LabelMatching.isValidLabelValue(value))
    }

    @Test(arguments: [
        (LabelSelector.Requirement(key: "tier", operator: "In", values: ["web", "api"]), true),
        (.init(key: "tier", operator: "In", values: ["batch"]), false),
        (.init(key: "zone", operator: "In", values: ["a"]), false),
        (.init(key: "tier", operator: "NotIn", values: ["batch"]), true),
        (.init(key: "tier", operator: "NotIn", values: ["web"]), false),
        (.init(key: "zone", operator: "NotIn", values: ["a"]), true),
        (.init(key: "tier", operator: "Exists"), true),
        (.init(key: "zone", operator: "Exists"), false),
        (.init(key: "zone", operator: "DoesNotExist"), true),
        (.init(key: "tier", operator: "DoesNotExist"), false),
        (.init(key: "tier", operator: "in", values: ["web"]), false),
    ])
    func requirements(requirement: LabelSelector.Requirement, matches: Bool) {
        #expect(LabelMatching.matches(requirement, labels: ["app": "shop", "tier": "web"]) == matches)
    }
}
