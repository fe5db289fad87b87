import CanaryAnalysis
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

@Suite struct RolloutDecodingTests {
    static let fullYAML = """
        apiVersion: fledge.dev/v1alpha1
        kind: Rollout
        metadata:
          name: shop
          namespace: shop-ns
          generation: 3
        spec:
          replicas: 20
          selector:
            matchLabels: {app: shop}
            matchExpressions:
              - {key: tier, operator: In, values: [web, api]}
          template:
            metadata:
              labels: {app: shop, tier: web}
              annotations: {prometheus.io/scrape: "true"}
            spec:
              terminationGracePeriodSeconds: 45
              containers:
                - name: shop
                  image: ghcr.io/fledge-dev/shop:1.1.0
                  resources: {limits: {cpu: 500m}}
                  env:
                    - {name: OTEL_RESOURCE_ATTRIBUTES, value: "team=checkout"}
          version: 1.1.0-rc1
          paused: true
          progressDeadlineSeconds: 300
          strategy:
            canary:
              steps:
                - setWeight: 10
                - pause: {}
                - analysis: {duration: 5m}
                - pause: {duration: 30s}
                - setWeight: 100
              analysis:
                prometheus:
                  address: http://prometheus.monitoring:9090
                  scrapeInterval: 15s
                  lag: 20s
                  joinTargetInfo: true
                interval: 30s
                warmup: 45s
                alpha: 0.01
                perRoute: true
                checks:
                  - name: conversion
                    query: sum(rate(orders_total{track="{{track}}"}[1m]))
                    compare: lowerIsWorse
                    tolerance: 0.1
                    failureLimit: 2
                  - name: queue
                    query: max(queue_depth{version="{{version}}"})
                    min: 0
                    max: 100
                onInconclusive: extend
                maxExtensions: 3
                service: shop-frontend
              trafficRouting:
                gatewayAPI:
                  httpRoute: {name: shop-route, namespace: gateways}
        """

    @Test func fullRolloutDecodesEveryField() throws {
        let r = try rollout(yaml: Self.fullYAML)
        #expect(r.specDecodingError == nil)
        #expect(r.metadata.name == "shop")
        #expect(r.metadata.namespace == "shop-ns")
        let spec = try #require(r.spec)
        #expect(spec.replicas == 20)
        #expect(spec.selector?.matchLabels == ["app": "shop"])
        #expect(spec.selector?.matchExpressions == [LabelSelector.Requirement(key: "tier", operator: "In", values: ["web", "api"])])
        #expect(spec.version == "1.1.0-rc1")
        #expect(spec.paused == true)
        #expect(spec.progressDeadlineSeconds == 300)
        let canary = try #require(spec.strategy?.canary)
        #expect(canary.steps == [.weight(10), .pause(), .analysis("5m"), .pause("30s"), .weight(100)])
        let a = try #require(canary.analysis)
        #expect(a.prometheus == PrometheusSpec(address: "http://prometheus.monitoring:9090", scrapeInterval: "15s",
                                               lag: "20s", joinTargetInfo: true))
        #expect(a.interval == "30s")
        #expect(a.warmup == "45s")
        #expect(a.alpha == 0.01)
        #expect(a.perRoute == true)
        #expect(a.checks == [
            QueryCheck(name: "conversion", query: #"sum(rate(orders_total{track="{{track}}"}[1m]))"#,
                       compare: .lowerIsWorse, tolerance: 0.1, failureLimit: 2),
            QueryCheck(name: "queue", query: #"max(queue_depth{version="{{version}}"})"#, min: 0, max: 100),
        ])
        #expect(a.onInconclusive == "extend")
        #expect(a.maxExtensions == 3)
        #expect(a.service == "shop-frontend")
        #expect(canary.trafficRouting == TrafficRouting(gatewayAPI: GatewayAPIRouting(
            httpRoute: NamespacedName(name: "shop-route", namespace: "gateways"))))
    }

    @Test func templateKeepsEveryFieldTheUserSet() throws {
        let r = try rollout(yaml: Self.fullYAML)
        let template = try #require(r.spec?.template)
        #expect(template[path: ["spec", "terminationGracePeriodSeconds"]] == .number(45))
        #expect(template[path: ["metadata", "annotations", "prometheus.io/scrape"]] == "true")
        let container = try #require(template[path: ["spec", "containers"]]?.arrayValue?.first)
        #expect(container[path: ["resources", "limits", "cpu"]] == "500m")
        #expect(container["env"] == [["name": "OTEL_RESOURCE_ATTRIBUTES", "value": "team=checkout"]])
    }

    @Test func unknownFieldsSurviveAnEncodeRoundTrip() throws {
        var r = try rollout(yaml: Self.fullYAML + "\n  futureField: {x: 1}\n")
        r.spec?.replicas = 21
        let json = try r.json()
        #expect(json[path: ["spec", "futureField", "x"]] == .number(1))
        #expect(json[path: ["spec", "replicas"]] == .number(21))
        #expect(json[path: ["spec", "template", "spec", "terminationGracePeriodSeconds"]] == .number(45))
        #expect(json["apiVersion"] == "fledge.dev/v1alpha1")
        #expect(json["kind"] == "Rollout")
    }

    @Test func minimalRolloutLeavesEverythingElseUnset() throws {
        let r = try rollout(yaml: """
            apiVersion: fledge.dev/v1alpha1
            kind: Rollout
            metadata: {name: tiny}
            spec:
              selector: {matchLabels: {app: tiny}}
              template:
                metadata: {labels: {app: tiny}}
                spec: {containers: [{name: app, image: "tiny:3"}]}
            """)
        let spec = try #require(r.spec)
        #expect(r.specDecodingError == nil)
        #expect(spec.replicas == nil)
        #expect(spec.version == nil)
        #expect(spec.paused == nil)
        #expect(spec.progressDeadlineSeconds == nil)
        #expect(spec.strategy == nil)
        #expect(r.status == nil)
        let effective = try resolved(r, defaults: RolloutDefaults(prometheusAddress: "http://prom:9090"))
        #expect(effective.version == "3")
        #expect(effective.replicas == 1)
    }

    @Test func noSpecDecodesWithoutError() throws {
        let r = try rollout(json: #"{"apiVersion":"fledge.dev/v1alpha1","kind":"Rollout","metadata":{"name":"x"}}"#)
        #expect(r.spec == nil)
        #expect(r.specDecodingError == nil)
        #expect(errorFields(r) == ["spec"])
    }

    @Test(arguments: [
        (#"{"replicas": "three"}"#, "spec.replicas"),
        (#"{"paused": "yes"}"#, "spec.paused"),
        (#"{"selector": {"matchLabels": {"app": 1}}}"#, "spec.selector.matchLabels.app"),
        (#"{"selector": {"matchExpressions": [{"operator": "In"}]}}"#, "spec.selector.matchExpressions[0].key"),
        (#"{"strategy": {"canary": {"steps": "fast"}}}"#, "spec.strategy.canary.steps"),
        (#"{"strategy": {"canary": {"steps": [{"setWeight": 5}, {"setWeight": "ten"}]}}}"#,
         "spec.strategy.canary.steps[1].setWeight"),
        (#"{"strategy": {"canary": {"analysis": {"checks": [{"name": "a", "query": "q", "compare": "sideways"}]}}}}"#,
         "spec.strategy.canary.analysis.checks[0].compare"),
        (#"{"strategy": {"canary": {"analysis": {"alpha": "low"}}}}"#, "spec.strategy.canary.analysis.alpha"),
    ])
    func specOfTheWrongShapeDecodesWithAnErrorNamingTheField(spec: String, field: String) throws {
        let r = try rollout(json: #"{"apiVersion":"fledge.dev/v1alpha1","kind":"Rollout","metadata":{"name":"x"},"spec":\#(spec)}"#)
        #expect(r.spec == nil)
        let why = try #require(r.specDecodingError)
        #expect(why.hasPrefix(field + ":"), "\(why)")
        #expect(r.metadata.name == "x")
        #expect(r.originalJSON?[path: ["metadata", "name"]] == "x")
    }

    @Test func statusOfTheWrongShapeIsDroppedNotFatal() throws {
        let r = try rollout(json: #"{"metadata":{"name":"x"},"spec":{"replicas":2},"status":{"phase":"Exploding"}}"#)
        #expect(r.spec?.replicas == 2)
        #expect(r.status == nil)
    }

    static let decision = Decision(
        outcome: .rollback,
        checks: [
            Check(name: "error-rate", metric: .errorRate, canary: TrackSummary(requests: 1200, events: 36, rate: 0.03),
                  stable: TrackSummary(requests: 22800, events: 114, rate: 0.005), evidence: 412.5, bound: 200,
                  exposure: 6, minExposure: 5, verdict: .fail, reason: "canary error rate 3% vs stable 0.5%"),
            Check(name: "latency-p99", metric: .latency, threshold: 0.25, verdict: .pending, reason: "not enough exposure"),
        ],
        summary: "error-rate failed")

    @Test func statusRoundTripsWithLastAnalysisFlattened() throws {
        let status = RolloutStatus(
            phase: .degraded, message: "rolled back", observedGeneration: 4, currentStepIndex: 1, canaryWeight: 0,
            actualCanaryWeight: 12.5, stableVersion: "1.0.0", canaryVersion: "1.1.0", stableTemplateHash: "bcdfghjklm",
            canaryTemplateHash: "npqrstvwxz",
            lastAnalysis: AnalysisRecord(decision: Self.decision, time: "2026-03-01T10:05:00Z", stepIndex: 1, intervals: 5,
                                         canaryVersion: "1.1.0"),
            lastAction: ActionRecord(action: "abort", id: "a1", time: "2026-03-01T10:06:00Z", message: "aborted"),
            conditions: [Condition(type: "Available", status: "True", reason: "StableAvailable", message: "4/4",
                                   lastTransitionTime: "2026-03-01T09:00:00Z", observedGeneration: 4)],
            canary: CanaryProgress(stepStartedAt: "2026-03-01T10:00:00Z",
                                   aborted: AbortRecord(reason: "AnalysisFailed", message: "error-rate failed",
                                                        time: "2026-03-01T10:05:00Z"),
                                   analysis: AnalysisProgress(templateHash: "npqrstvwxz", lastIntervalEnd: "2026-03-01T10:05:00Z",
                                                              readyCanaryReplicas: 1, readyStableReplicas: 3),
                                   stepComplete: false, extensions: 0))
        let json = try JSONValue(encoding: status)
        let last = try #require(json["lastAnalysis"])
        #expect(last["decision"] == "rollback")
        #expect(last["summary"] == "error-rate failed")
        #expect(last["checks"]?.arrayValue?.count == 2)
        #expect(last[path: ["checks"]]?.arrayValue?.first?["verdict"] == "fail")
        #expect(last["time"] == "2026-03-01T10:05:00Z")
        #expect(last["stepIndex"] == .number(1))
        #expect(last["intervals"] == .number(5))
        #expect(last["canaryVersion"] == "1.1.0")
        #expect(last["outcome"] == nil)
        #expect(last["decision"]?.objectValue == nil, "the decision is flattened, not nested")
        #expect(json["phase"] == "Degraded")
        #expect(json["actualCanaryWeight"] == .number(12.5))
        #expect(try json.decode(as: RolloutStatus.self) == status)

        // And through a whole Rollout.
        var r = validRollout()
        r.status = status
        let back = try JSONValue(parsing: try r.json().data()).decode(as: Rollout.self)
        #expect(back.status == status)
        #expect(back.status?.condition(.available)?.reason == "StableAvailable")
        #expect(back.status?.condition(.invalidSpec) == nil)
    }

    @Test func statusDecodesFromWhatTheControllerWrites() throws {
        let r = try rollout(yaml: """
            metadata: {name: shop}
            spec: {replicas: 1}
            status:
              phase: Paused
              currentStepIndex: 2
              canaryWeight: 25
              actualCanaryWeight: 25
              lastAnalysis:
                decision: inconclusive
                summary: not enough traffic
                checks:
                  - {name: error-rate, metric: errorRate, verdict: pending, reason: "exposure 2 of 5"}
                time: "2026-03-01T10:05:00Z"
                stepIndex: 1
                intervals: 10
              lastAction: {action: promote, id: p1, time: "2026-03-01T10:06:00Z"}
              conditions:
                - {type: Paused, status: "True", reason: Inconclusive, lastTransitionTime: "2026-03-01T10:05:00Z"}
            """)
        let status = try #require(r.status)
        #expect(status.phase == .paused)
        #expect(status.actualCanaryWeight == 25)
        let last = try #require(status.lastAnalysis)
        #expect(last.decision.outcome == .inconclusive)
        #expect(last.decision.checks.map(\.verdict) == [.pending])
        #expect(last.intervals == 10)
        #expect(last.canaryVersion == nil)
        #expect(status.lastAction == ActionRecord(action: "promote", id: "p1", time: "2026-03-01T10:06:00Z"))
        #expect(status.condition(.paused)?.status == "True")
    }

    @Test func descriptorNamesTheResource() {
        #expect(Rollout.descriptor.group == "fledge.dev")
        #expect(Rollout.descriptor.version == "v1alpha1")
        #expect(Rollout.descriptor.plural == "rollouts")
        #expect(Rollout.descriptor.kind == "Rollout")
        #expect(Rollout.descriptor.namespaced)
        #expect(validRollout().apiVersion == "fledge.dev/v1alpha1")
    }
}
