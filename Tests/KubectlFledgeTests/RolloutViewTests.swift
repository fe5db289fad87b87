import CanaryAnalysis
@testable import FledgeCLI
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// Rollouts, Deployments and decisions for the view's tests.
enum Sample {
    static let template: JSONValue = [
        "metadata": ["labels": ["app": "web"]],
        "spec": ["containers": [["name": "web", "image": "registry.example/web:2.0.0"]]],
    ]

    static func rollout(name: String = "web", namespace: String = "default", steps: [RolloutStep] = [.weight(50), .pause(), .weight(100)],
                        paused: Bool? = nil, status: RolloutStatus? = nil) -> Rollout {
        Rollout(metadata: ObjectMeta(name: name, namespace: namespace),
                spec: RolloutSpec(replicas: 4, selector: LabelSelector(matchLabels: ["app": "web"]), template: template, paused: paused,
                                  strategy: RolloutStrategy(canary: CanaryStrategy(steps: steps))),
                status: status)
    }

    /// A canary at `step`, weight 50, versions 1.0.0 → 2.0.0.
    static func canaryStatus(step: Int, phase: RolloutPhase = .paused, aborted: AbortRecord? = nil,
                             analysis: AnalysisRecord? = nil) -> RolloutStatus {
        RolloutStatus(phase: phase, message: "paused at step \(step)", currentStepIndex: step, canaryWeight: 50, actualCanaryWeight: 50,
                      stableVersion: "1.0.0", canaryVersion: "2.0.0", stableTemplateHash: "aaaaaaaaaa", canaryTemplateHash: "bbbbbbbbbb",
                      lastAnalysis: analysis, canary: CanaryProgress(aborted: aborted))
    }

    static let healthy = RolloutStatus(phase: .healthy, message: "version 1.0.0 is stable", currentStepIndex: 3, canaryWeight: 0,
                                       actualCanaryWeight: 0, stableVersion: "1.0.0", stableTemplateHash: "aaaaaaaaaa")

    static func deployment(_ name: String, image: String, replicas: Int, updated: Int, ready: Int, available: Int) -> Deployment {
        Deployment(metadata: ObjectMeta(name: name, namespace: "default"),
                   spec: DeploymentSpec(replicas: replicas, template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "web", image: image)]))),
                   status: DeploymentStatus(replicas: replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available))
    }

    static let decision = Decision(outcome: .continue, checks: [
        Check(name: "error rate", metric: .errorRate, canary: TrackSummary(requests: 2_000, events: 10, rate: 0.005),
              stable: TrackSummary(requests: 18_000, events: 90, rate: 0.005), evidence: 0.4, bound: 50, exposure: 10,
              regressionBound: 3, regressionMargin: 2, confidence: 0.98, gatesPromotion: true,
              verdict: .pending, reason: "needs more canary traffic"),
        Check(name: "latency p99 > 250ms", metric: .latency, threshold: 0.25, canary: TrackSummary(requests: 2_000, events: 30, rate: 0.015),
              stable: TrackSummary(requests: 18_000, events: 180, rate: 0.01), evidence: 1.2, bound: 50, exposure: 20,
              regressionBound: 1.7, regressionMargin: 2, confidence: 0.98, gatesPromotion: true,
              verdict: .pass, reason: "fine"),
    ], summary: "2 checks: 1 pass, 1 pending")

    static let record = AnalysisRecord(decision: decision, time: "2025-03-14T09:30:05Z", stepIndex: 1, intervals: 7, canaryVersion: "2.0.0")
}

@Suite("rollout view")
struct RolloutViewTests {
    @Test(arguments: [
        // (steps, status, marks)
        (3, Sample.canaryStatus(step: 0), [RolloutView.StepMark.current, .pending, .pending]),
        (3, Sample.canaryStatus(step: 1), [.done, .current, .pending]),
        (3, Sample.canaryStatus(step: 2), [.done, .done, .current]),
        (3, Sample.canaryStatus(step: 1, phase: .degraded, aborted: AbortRecord(reason: "Aborted", message: "m", time: "t")),
         [.done, .stopped, .pending]),
        (3, Sample.healthy, [.done, .done, .done]),
        (3, RolloutStatus(), [.pending, .pending, .pending]),
    ])
    func stepMarks(count: Int, status: RolloutStatus, expected: [RolloutView.StepMark]) {
        #expect(RolloutView.marks(stepCount: count, status: status) == expected)
    }

    @Test func marksNothingCurrentWithoutStatus() {
        #expect(RolloutView.marks(stepCount: 2, status: nil) == [.pending, .pending])
    }

    func view(_ rollout: Rollout, history: [HistoryEntry] = [], width: Int? = nil, colour: Bool = false) -> [String] {
        RolloutView(rollout: rollout,
                    stable: Sample.deployment("web-stable", image: "registry.example/web:1.0.0", replicas: 2, updated: 2, ready: 2, available: 2),
                    canary: Sample.deployment("web-canary", image: "registry.example/web:2.0.0", replicas: 2, updated: 2, ready: 1, available: 1),
                    history: history, width: width, colour: colour).lines()
    }

    @Test func showsStepsWeightsVersionsAndReplicasOfACanary() {
        let lines = view(Sample.rollout(status: Sample.canaryStatus(step: 1)))
        #expect(lines.contains("Phase:         Paused"))
        #expect(lines.contains("Step:          2 of 3 (pause)"))
        #expect(lines.contains("Weight:        set 50%, actual 50%"))
        #expect(lines.contains("Stable:        1.0.0  web=registry.example/web:1.0.0  (template aaaaaaaaaa)"))
        #expect(lines.contains("Canary:        2.0.0  web=registry.example/web:2.0.0  (template bbbbbbbbbb)"))
        #expect(lines.contains("  ✓  1  setWeight 50"))
        #expect(lines.contains("  ▶  2  pause  ← current"))
        #expect(lines.contains("  ○  3  setWeight 100"))
        #expect(lines.contains("  TRACK   DEPLOYMENT  DESIRED  UPDATED  READY  AVAILABLE"))
        #expect(lines.contains("  stable  web-stable  2        2        2      2"))
        #expect(lines.contains("  canary  web-canary  2        2        1      1"))
        #expect(lines.contains("Analysis  no decision yet"))
    }

    @Test func withARouterShowsWhatTheRouteSendsOrWhyItCannot() {
        var status = Sample.canaryStatus(step: 1)
        status.conditions = [Condition(type: "TrafficRouted", status: "True", reason: "WeightsSet",
                                       message: "HTTPRoute default/web sends 50% to web-canary and the rest to web-stable")]
        #expect(view(Sample.rollout(status: status)).contains("Traffic:       HTTPRoute default/web sends 50% to web-canary and the rest to web-stable"))
        status.conditions = [Condition(type: "TrafficRouted", status: "False", reason: "RouteNotFound", message: "HTTPRoute default/web not found")]
        #expect(view(Sample.rollout(status: status)).contains("Traffic:       RouteNotFound: HTTPRoute default/web not found"))
        #expect(!view(Sample.rollout(status: Sample.canaryStatus(step: 1))).contains { $0.hasPrefix("Traffic:") })
    }

    @Test func showsAStoppedCanaryAndWhy() {
        let aborted = AbortRecord(reason: "AnalysisFailed", message: "error rate 8% vs 0.5%", time: "2025-03-14T09:31:00Z")
        let lines = view(Sample.rollout(status: Sample.canaryStatus(step: 1, phase: .degraded, aborted: aborted)))
        #expect(lines.contains("Phase:         Degraded"))
        #expect(lines.contains("Stopped:       AnalysisFailed at 09:31:00: error rate 8% vs 0.5%"))
        #expect(lines.contains("  ✗  2  pause  ← stopped here"))
    }

    @Test func showsNoCanaryWhenHealthy() {
        let lines = view(Sample.rollout(status: Sample.healthy))
        #expect(lines.contains("Canary:        none in progress"))
        #expect(lines.contains("Step:          all 3 done"))
        #expect(!lines.contains { $0.contains("current") })
    }

    @Test func showsTheLatestDecisionWithEveryCheck() {
        let lines = view(Sample.rollout(status: Sample.canaryStatus(step: 1, phase: .progressing, analysis: Sample.record)))
        #expect(lines.contains("Analysis  CONTINUE at step 2, after 7 intervals (09:30:05, canary 2.0.0)"))
        #expect(lines.contains("  2 checks: 1 pass, 1 pending"))
        let header = try! #require(lines.first { $0.contains("#  CHECK") })
        for column in ["CANARY", "STABLE", "THRESHOLD", "EVIDENCE/BOUND", "BOUND/MARGIN", "VERDICT"] { #expect(header.contains(column)) }
        let errorRow = try! #require(lines.first { $0.hasPrefix("  1  error rate") })
        #expect(errorRow.contains("10/2,000 (0.50%)"))
        #expect(errorRow.contains("90/18,000 (0.50%)"))
        #expect(errorRow.contains("0.4/50"))
        #expect(errorRow.contains("3×/2×"))
        #expect(errorRow.hasSuffix("pending"))
        let latencyRow = try! #require(lines.first { $0.hasPrefix("  2  latency p99 > 250ms") })
        #expect(latencyRow.contains("250ms"))
        #expect(latencyRow.hasSuffix("pass"))
        #expect(lines.contains("  [1] error rate: pending: needs more canary traffic"))
    }

    @Test func showsTheHistoryInTimeOrder() {
        let history = DecisionHistory([
            HistoryEntry(analysis: Sample.record),
            HistoryEntry(time: "2025-03-14T09:20:00Z", reason: "CanaryStarted", message: "canary version 2.0.0 started"),
            HistoryEntry(time: "2025-03-14T09:40:00.250Z", reason: "RolledBack", message: "error rate failed", warning: true),
        ])
        let lines = view(Sample.rollout(status: Sample.canaryStatus(step: 1)), history: history.entries)
        let start = try! #require(lines.firstIndex(of: "History"))
        #expect(Array(lines[(start + 1)...]) == [
            "  09:20:00  CanaryStarted  canary version 2.0.0 started",
            "  09:30:05  Analysis       step 2, interval 7: continue: 2 checks: 1 pass, 1 pending",
            "  09:40:00  RolledBack     error rate failed",
        ])
    }

    @Test func noEscapeSequencesWithoutColourAndSomeWithIt() {
        let rollout = Sample.rollout(status: Sample.canaryStatus(step: 1, phase: .progressing, analysis: Sample.record))
        #expect(!view(rollout).joined().contains("\u{1B}["))
        let coloured = view(rollout, colour: true)
        #expect(coloured.joined().contains("\u{1B}["))
        #expect(coloured.map(Self.strip) == view(rollout))
    }

    @Test func cutsLinesToTheWidth() {
        let rollout = Sample.rollout(status: Sample.canaryStatus(step: 1, phase: .progressing, analysis: Sample.record))
        for colour in [false, true] {
            let lines = view(rollout, width: 40, colour: colour)
            #expect(lines.allSatisfy { ANSIText.visibleCount($0) <= 40 })
            #expect(lines.contains { Self.strip($0).hasSuffix("…") })
        }
    }

    @Test func aNarrowTerminalCutsTheMiddleColumnsAndKeepsTheVerdict() {
        let rollout = Sample.rollout(status: Sample.canaryStatus(step: 1, phase: .progressing, analysis: Sample.record))
        let wide = view(rollout)
        let natural = try! #require(wide.first { $0.hasPrefix("  1  error rate") }).count
        let width = natural - 12
        let lines = view(rollout, width: width)
        #expect(lines.allSatisfy { ANSIText.visibleCount($0) <= width })
        let errorRow = try! #require(lines.first { $0.hasPrefix("  1  error") })
        #expect(errorRow.hasSuffix("pending"), "the verdict column is kept: \(errorRow)")
        #expect(errorRow.contains("…"), "a middle column is cut: \(errorRow)")
        #expect(try! #require(lines.first { $0.hasPrefix("  2  latency") }).hasSuffix("pass"))
        let header = try! #require(lines.first { $0.contains("#  CHECK") })
        #expect(header.hasSuffix("VERDICT"))
        // The list keeps NAME and AGE.
        var web = Sample.rollout(name: "checkout-service-frontend", status: Sample.canaryStatus(step: 1))
        web.metadata.creationTimestamp = "2025-03-14T09:00:00Z"
        let now = HistoryEntry.parseTime("2025-03-14T09:05:30Z")!
        let list = RolloutListView(rollouts: [web], showNamespace: true, now: now, width: 60).lines()
        #expect(list.allSatisfy { $0.count <= 60 }, "\(list)")
        #expect(list[1].hasPrefix("default  ") && list[1].hasSuffix("5m30s"), "\(list)")
        let fitted = TableFit.widths([4, 30, 30, 7], limit: 40)
        #expect(fitted[0] == 4 && fitted[3] == 7 && fitted.reduce(0, +) + 6 == 40 && abs(fitted[1] - fitted[2]) <= 1, "\(fitted)")
        #expect(TableFit.widths([4, 6, 6, 7], limit: 10) == [4, 5, 5, 7], "never below the minimum: the line is cut at the edge instead")
    }

    @Test func showsTheReferencedDeployment() {
        var status = Sample.healthy
        status.workload = WorkloadStatus(name: "web-legacy", replicas: 3, scaledDown: true)
        var rollout = Sample.rollout(status: status)
        rollout.spec?.template = nil
        rollout.spec?.workloadRef = WorkloadRef(name: "web-legacy", scaleDown: "progressively")
        let lines = view(rollout)
        #expect(lines.contains("Workload:      Deployment web-legacy, scaleDown progressively: scaled down (it had 3 replicas)"), "\(lines)")
        #expect(lines.contains("Step:          all 3 done"), "the steps are shown without the Deployment's template")
    }

    @Test func showsAnalysisStepsWhenTheControllerSuppliesPrometheus() {
        let lines = view(Sample.rollout(steps: [.weight(5), .analysis("15s"), .weight(100)], status: Sample.canaryStatus(step: 1)))
        #expect(lines.contains("Step:          2 of 3 (analysis 15s)"))
        #expect(lines.contains("  ▶  2  analysis 15s  ← current"))
    }

    @Test func saysWhenTheControllerHasNotReported() {
        let lines = view(Sample.rollout(status: nil))
        #expect(lines.contains("Phase:         unknown (the controller has not reported yet)"))
    }

    @Test func listsRolloutsLikeKubectlGet() {
        var web = Sample.rollout(status: Sample.canaryStatus(step: 1))
        web.metadata.creationTimestamp = "2025-03-14T09:00:00Z"
        var api = Sample.rollout(name: "api", namespace: "shop", status: Sample.healthy)
        api.metadata.creationTimestamp = "2025-03-12T08:00:00Z"
        let now = HistoryEntry.parseTime("2025-03-14T09:05:30Z")!
        #expect(RolloutListView(rollouts: [web, api], showNamespace: true, now: now).lines() == [
            "NAMESPACE  NAME  PHASE    STEP  WEIGHT  STABLE  CANARY  AGE",
            "default    web   Paused   2/3   50/50   1.0.0   2.0.0   5m30s",
            "shop       api   Healthy  -     0/0     1.0.0   -       2d1h",
        ])
    }

    @Test(arguments: [(0, "0s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (11_000, "3h3m"), (90_000, "25h"), (200_000, "2d7h"),
                      (800_000, "9d")])
    func ages(seconds: Int, expected: String) {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let then = ISO8601DateFormatter().string(from: now.addingTimeInterval(-Double(seconds)))
        #expect(RolloutListView.age(since: then, now: now) == expected)
    }

    static func strip(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}
