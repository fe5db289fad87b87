import ArgumentParser
@testable import FledgeCLI
import Foundation
import Kube
import KubeJSON
import RolloutAPI
import Testing

@Suite("arguments, action ids, refusals, error messages")
struct ControlUnitTests {
    @Test(arguments: [
        (["-n", "shop", "get", "rollout", "web"], ["get", "rollout", "web", "-n", "shop"]),
        (["--namespace=shop", "--context", "c", "promote", "web"], ["promote", "web", "--namespace=shop", "--context", "c"]),
        (["-A", "list", "rollouts"], ["list", "rollouts", "-A"]),
        (["get", "rollout", "web", "-n", "shop"], ["get", "rollout", "web", "-n", "shop"]),
        (["--kubeconfig", "/k"], ["--kubeconfig", "/k"]),
    ])
    func clusterFlagsBeforeTheSubcommandMoveAfterIt(arguments: [String], expected: [String]) {
        #expect(KubeOptions.hoistLeadingFlags(arguments) == expected)
    }

    @Test func parsesGetRolloutAndItsAliases() throws {
        for word in ["rollout", "rollouts", "ro", "fro"] {
            let command = try FledgeCommand.parseAsRoot(["get", word, "web", "-w", "-o", "yaml", "-n", "shop", "--context", "c",
                                                         "--kubeconfig", "/tmp/k", "--timeout", "30s"])
            let get = try #require(command as? GetRolloutCommand)
            #expect(get.name == "web")
            #expect(get.watch)
            #expect(get.output == .yaml)
            #expect(get.kube.namespace == "shop")
            #expect(get.kube.context == "c")
            #expect(get.kube.kubeconfig == "/tmp/k")
            #expect(get.timeout == DurationArgument(.seconds(30)))
        }
    }

    @Test func parsesTheControlCommands() throws {
        let promote = try #require(try FledgeCommand.parseAsRoot(["promote", "web", "--full"]) as? PromoteCommand)
        #expect(promote.name == "web" && promote.full)
        #expect(try FledgeCommand.parseAsRoot(["abort", "web"]) is AbortCommand)
        #expect(try FledgeCommand.parseAsRoot(["retry", "web"]) is RetryCommand)
        #expect(try FledgeCommand.parseAsRoot(["pause", "web"]) is PauseCommand)
        #expect(try FledgeCommand.parseAsRoot(["resume", "web"]) is ResumeCommand)
        let list = try #require(try FledgeCommand.parseAsRoot(["list", "rollouts", "-A", "-o", "json"]) as? ListRolloutsCommand)
        #expect(list.allNamespaces && list.output == .json)
    }

    @Test(arguments: [
        ["get", "rollout"],                                   // no name
        ["get", "rollout", "web", "-o", "wide"],              // unknown format
        ["get", "rollout", "web", "--timeout", "10s"],        // --timeout without --watch
        ["list", "rollouts", "-A", "-n", "shop"],             // -A with -n
        ["get", "rollout", "web", "-A"],                      // -A is for list
        ["promote"],                                          // no name
        ["completion", "powershell"],
        ["frobnicate"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async {
        let result = await runPlugin(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func actionIdsAreFreshAndSayWhen() {
        let now = Date(timeIntervalSince1970: 1_741_944_605)  // 2025-03-14 09:30:05 UTC
        let id = ActionID.make(now: now)
        #expect(id.hasPrefix("20250314-093005-"))
        #expect(id.count == "20250314-093005-".count + 6)
        #expect(id.allSatisfy { $0.isNumber || $0 == "-" || ("a"..."f").contains($0) })
        let many = Set((0..<200).map { _ in ActionID.make(now: now) })
        #expect(many.count == 200)
        #expect(try! RolloutAction.parse("promote:\(id)") == RolloutAction(verb: .promote, id: id))
    }

    @Test func patchesTouchOnlyTheAnnotationOrSpecPaused() {
        let action = RolloutAction(verb: .promoteFull, id: "x1")
        #expect(RolloutControl.actionPatch(action) == ["metadata": ["annotations": ["fledge.dev/action": "promote-full:x1"]]])
        #expect(RolloutControl.pausePatch(true) == ["spec": ["paused": true]])
        #expect(RolloutControl.pausePatch(false) == ["spec": ["paused": false]])
    }

    static let stopped = AbortRecord(reason: "AnalysisFailed", message: "error rate failed", time: "2025-03-14T09:31:00Z")

    @Test(arguments: [
        // (verb, status, refusal contains; nil: allowed)
        (RolloutAction.Verb.promote, Sample.healthy, "no canary in progress: rollout \"web\" is Healthy at version 1.0.0" as String?),
        (.promoteFull, Sample.healthy, "nothing to promote"),
        (.abort, Sample.healthy, "no canary in progress"),
        (.retry, Sample.healthy, "no canary in progress"),
        (.promote, Sample.canaryStatus(step: 1), nil),
        (.promoteFull, Sample.canaryStatus(step: 1), nil),
        (.abort, Sample.canaryStatus(step: 1), nil),
        (.retry, Sample.canaryStatus(step: 1), "nothing to retry: canary 2.0.0 of rollout \"web\" is not stopped"),
        (.retry, Sample.canaryStatus(step: 1, phase: .degraded, aborted: stopped), nil),
        (.promote, Sample.canaryStatus(step: 1, phase: .degraded, aborted: stopped), "is stopped (AnalysisFailed: error rate failed); retry it first"),
        (.abort, Sample.canaryStatus(step: 1, phase: .degraded, aborted: stopped), "already stopped"),
    ])
    func refusals(verb: RolloutAction.Verb, status: RolloutStatus, expected: String?) {
        let refusal = RolloutControl.refusal(verb, for: Sample.rollout(status: status))
        if let expected {
            #expect(refusal?.contains(expected) == true, "\(refusal ?? "nil")")
        } else {
            #expect(refusal == nil)
        }
    }

    @Test func aRolloutWithoutStatusHasNoCanary() {
        #expect(RolloutControl.refusal(.promote, for: Sample.rollout(status: nil))?.hasPrefix("no canary in progress: rollout \"web\" is not yet reconciled") == true)
    }

    @Test func errorMessagesNameTheObjectTheVerbAndTheReason() {
        let call = APICall.rollout("get", "web", in: "shop")
        let notFound = KubeError.notFound(Status(message: "rollouts.fledge.dev \"web\" not found", reason: "NotFound",
                                                  details: StatusDetails(name: "web", kind: "rollouts"), code: 404))
        #expect(APIErrorMessage.message(notFound, call) == "rollout \"web\" not found in namespace \"shop\" (NotFound)")
        let noCRD = KubeError.notFound(Status(message: "the server could not find the requested resource", reason: "NotFound", code: 404))
        #expect(APIErrorMessage.message(noCRD, call).contains("is the Fledge CRD installed?"))
        let forbidden = KubeError.forbidden(Status(message: "user \"dev\" cannot patch", reason: "Forbidden", code: 403))
        #expect(APIErrorMessage.message(forbidden, .rollout("patch", "web", in: "shop"))
            == "forbidden: you may not patch rollouts.fledge.dev \"web\" in namespace \"shop\" (Forbidden: user \"dev\" cannot patch)")
        #expect(APIErrorMessage.message(forbidden, .rollout("list", nil, in: nil)).hasPrefix("forbidden: you may not list rollouts.fledge.dev in all namespaces"))
        #expect(APIErrorMessage.message(KubeError.transport("connection refused"), call, server: "https://10.0.0.1")
            == "cannot reach the API server at https://10.0.0.1: connection refused")
        #expect(APIErrorMessage.cliError(forbidden, call).exitStatus == 1)
    }

    @Test func versionWithoutTheClusterAndImageTags() async {
        let result = await runPlugin(["version", "--client"])
        #expect(result.status == 0)
        #expect(result.lines == ["kubectl-fledge \(FledgeVersion.plugin)"])
        #expect(VersionCommand.imageTag("ghcr.io/fledge-dev/fledge-controller:0.1.0") == "0.1.0")
        #expect(VersionCommand.imageTag("localhost:5000/fledge-controller") == nil)
        #expect(VersionCommand.imageTag("fledge-controller:0.2.0@sha256:abc") == "0.2.0")
    }

    @Test func versionSaysWhyTheControllerIsUnknown() async throws {
        let result = await runPlugin(["version", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(result.status == 0)
        #expect(result.lines.first == "kubectl-fledge \(FledgeVersion.plugin)")
        #expect(result.lines.last?.hasPrefix("controller: unknown (cannot read /nonexistent/kubeconfig") == true)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) async {
        let result = await runPlugin(["completion", shell])
        #expect(result.status == 0)
        #expect(result.stdout.contains("kubectl-fledge"))
        #expect(result.stdout.contains("promote"))
    }
}
