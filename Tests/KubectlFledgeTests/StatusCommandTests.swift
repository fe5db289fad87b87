@testable import FledgeCLI
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

/// `kubectl fledge status`: what a pipeline waits on. Each verdict's exit status, a wait through transitions, and a
/// verdict never taken from a status the controller wrote for an older spec.
struct StatusCommandTests {
    static func observed(_ status: RolloutStatus, generation: Int = 1) -> RolloutStatus {
        var s = status
        s.observedGeneration = generation
        return s
    }

    static func condition(_ type: RolloutConditionType, _ status: String, _ message: String) -> Condition {
        Condition(type: type.rawValue, status: status, reason: "Test", message: message)
    }

    @Test func eachVerdictHasItsExitStatus() async throws {
        try await PluginCluster.with { cluster in
            var healthy = Self.observed(Sample.healthy)
            healthy.conditions = [Self.condition(.completed, "True", "every step passed")]
            try await cluster.create(Sample.rollout(name: "done", status: healthy))
            var rolledBack = Self.observed(Sample.canaryStatus(step: 1, phase: .degraded, aborted: PluginClusterTests.stopped))
            rolledBack.conditions = [Self.condition(.progressing, "False", "rolled back: error rate 15.98× stable")]
            try await cluster.create(Sample.rollout(name: "bad", status: rolledBack))
            let aborted = Self.observed(Sample.canaryStatus(step: 1, phase: .degraded,
                                                            aborted: AbortRecord(reason: "Aborted", message: "by ci", time: "2026-12-07T00:00:00Z")))
            try await cluster.create(Sample.rollout(name: "stopped", status: aborted))
            var paused = Self.observed(Sample.canaryStatus(step: 1, phase: .paused))
            paused.conditions = [Self.condition(.paused, "True", "step 2 of 3: paused until promoted")]
            try await cluster.create(Sample.rollout(name: "held", status: paused))
            var invalid = Self.observed(Sample.healthy)
            invalid.conditions = [Self.condition(.invalidSpec, "True", "spec.replicas: must be 0 or more")]
            try await cluster.create(Sample.rollout(name: "invalid", status: invalid))

            let done = await cluster.plugin(["status", "done"])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(done.lines == ["done: 1.0.0 is stable: every step passed"])
            let bad = await cluster.plugin(["status", "bad"])
            #expect(bad.status == 1)
            #expect(bad.lines == ["bad: stopped (AnalysisFailed): rolled back: error rate 15.98× stable"])
            let stopped = await cluster.plugin(["status", "stopped"])
            #expect(stopped.status == 1)
            #expect(stopped.lines.first?.hasPrefix("stopped: stopped (Aborted):") == true, "\(stopped.lines)")
            let held = await cluster.plugin(["status", "held"])
            #expect(held.status == 3, "held for a person: at once")
            #expect(held.lines == ["held: paused: step 2 of 3: paused until promoted"])
            let waited = await cluster.plugin(["status", "held", "--wait-paused", "--timeout", "1s", "--interval", "200ms"])
            #expect(waited.status == 2, "--wait-paused waits; the timeout ends it")
            #expect(waited.stderr.contains("not finished after 1s"), "\(waited.stderr)")
            let broken = await cluster.plugin(["status", "invalid"])
            #expect(broken.status == 1)
            #expect(broken.lines == ["invalid: invalid spec: spec.replicas: must be 0 or more"])
            let missing = await cluster.plugin(["status", "nothing"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("not found"), "\(missing.stderr)")
        }
    }

    @Test func waitsThroughTransitionsAndNeverTrustsAStatusForAnOlderSpec() async throws {
        try await PluginCluster.with { cluster in
            // A status the controller wrote before the latest change (observedGeneration 0 < generation 1): Healthy
            // there is about an older template.
            try await cluster.create(Sample.rollout(status: Self.observed(Sample.healthy, generation: 0)))
            let waiting = Task { await cluster.plugin(["status", "web", "--timeout", "60s", "--interval", "100ms"]) }
            try await Task.sleep(for: .milliseconds(500))
            var progressing = Self.observed(Sample.canaryStatus(step: 0, phase: .progressing))
            progressing.conditions = [Self.condition(.progressing, "True", "step 1 of 3: weight 50%")]
            try await patchStatus(cluster, progressing)
            try await Task.sleep(for: .milliseconds(500))
            var done = Self.observed(Sample.healthy)
            done.stableVersion = "2.0.0"
            done.conditions = [Self.condition(.completed, "True", "every step passed")]
            try await patchStatus(cluster, done)
            let result = await waiting.value
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines == [
                "web: waiting for the controller to see generation 1",
                "web: step 1 of 3: weight 50%",
                "web: 2.0.0 is stable: every step passed",
            ])
        }
    }

    func patchStatus(_ cluster: PluginCluster, _ status: RolloutStatus) async throws {
        _ = try await cluster.client.patchStatus(Rollout.self, name: "web", namespace: "default",
                                                 .merge(["status": try JSONValue(encoding: status)]))
    }

    @Test func theVerdictReadsOnlyTheStatus() {
        var rollout = Sample.rollout()
        rollout.metadata.generation = 2
        #expect(RolloutVerdict(rollout) == .waiting("web: waiting for the controller to report a status"))
        rollout.status = Self.observed(Sample.canaryStatus(step: 1, phase: .paused), generation: 1)
        #expect(RolloutVerdict(rollout) == .waiting("web: waiting for the controller to see generation 2"))
        rollout.status?.observedGeneration = 2
        #expect(RolloutVerdict(rollout) == .held("web: paused: paused at step 1"))
    }
}

/// A mistyped command is named as an unknown command with the closest ones, exit 2 (a usage error).
struct UnknownCommandTests {
    @Test func aMistypedCommandIsNamedWithSuggestions() async {
        let typo = await runPlugin(["promot", "web"])
        #expect(typo.status == 2)
        #expect(typo.stderr.hasPrefix("Error: unknown command \"promot\" for \"kubectl fledge\"\n\nDid you mean this?\n\tpromote\n"), "\(typo.stderr)")
        let flagsFirst = await runPlugin(["-n", "shop", "stauts", "web"])
        #expect(flagsFirst.stderr.contains("unknown command \"stauts\""), "\(flagsFirst.stderr)")
        #expect(flagsFirst.stderr.contains("\tstatus\n"))
        let nothingClose = await runPlugin(["frobnicate"])
        #expect(nothingClose.status == 2)
        #expect(!nothingClose.stderr.contains("Did you mean"))
        let alias = await runPlugin(["get", "fro", "--help"])
        #expect(alias.status == 0, "known commands and aliases pass: \(alias.stderr)")
    }
}
