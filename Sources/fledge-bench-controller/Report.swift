import BenchSupport
import Foundation
import Logging

/// The markdown report: the results tables (printed), and with a header and notes for `--output`.
struct Report {
    let options: Options
    let results: BenchResults

    var restTable: String {
        var rows = ["| Rollouts | created | converge (create → all Healthy) | controller CPU while converging | emulator CPU while converging | reconciles | controller requests | RSS over baseline (VmRSS) | RSS after malloc_trim | idle CPU (controller) | idle CPU (emulator) | idle reconciles / requests | emulator RSS |",
                    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for x in results.rest {
            rows.append("| \(Self.int(x.rollouts)) | \(Self.int(x.created)) in \(Self.secs(x.createSeconds)) | **\(Self.secs(x.convergeSeconds))** | \(Self.pct(x.convergeCPU)) | \(x.convergeEmulatorCPU.map(Self.pct) ?? "?") | \(Self.int(x.reconciles)) (\(Self.num(Double(x.reconciles) / x.convergeSeconds))/s) | \(Self.int(x.requests)) (\(Self.num(Double(x.requests) / x.convergeSeconds))/s) | **\(Self.mib(x.rssRaw))** | \(Self.mib(x.rssTrimmed)) | **\(Self.pct(x.idleCPU))** over \(Self.secs(x.idleSeconds)) | \(x.idleEmulatorCPU.map(Self.pct) ?? "?") | \(x.idleReconciles) / \(x.idleRequests) | \(x.emulatorRSS.map(Self.mib) ?? "?") |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    var progressTable: String {
        guard let p = results.progress else { return "" }
        func lat(_ s: LatencySummary) -> String { "p50 \(Self.ms(s.p50)), p90 \(Self.ms(s.p90)), p99 \(Self.ms(s.p99)), max \(Self.ms(s.max)) (n = \(Self.int(s.count)))" }
        let methods = p.requests.byMethod.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")
        let failures = p.requests.failures.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "transport" : String($0.key)) ×\($0.value)" }.joined(separator: ", ")
        let reconciles = p.reconciles.values.reduce(0, +)
        let byOutcome = p.reconciles.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")
        let writes = p.emulatorWritesByResource.sorted { $0.value > $1.value }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")
        var rows = ["| measurement | value | detail |", "| --- | --- | --- |"]
        rows.append("| decision → status patch | **\(lat(p.decisionToPatch))** | from the sample's return to the controller to the response of the status PATCH carrying that interval's `lastAnalysis` |")
        rows.append("| interval end → status patch | \(lat(p.intervalEndToPatch)) | from the end of the interval (its data complete; lag is 0) to the same PATCH: how late intervals are judged, which includes waiting in the work queue before the sample is read |")
        rows.append("| of which: decision → PATCH sent | \(lat(p.decisionToSend)) | planning, the Deployment writes before the status, and waiting for the client's rate limiter |")
        rows.append("| of which: PATCH round trip | \(lat(p.roundTrip)) | HTTP exchange with the emulator |")
        rows.append("| emulator request log check | \(Self.int(p.logMatched)) of \(Self.int(p.decisionToPatch.count)) status patches found, \(p.logInconsistent) at an inconsistent time | log-derived upper bound ((whole-second log time + 1 s) − sample return): p50 \(Self.ms(p.logUpperBound.p50)), p99 \(Self.ms(p.logUpperBound.p99)), max \(Self.ms(p.logUpperBound.max)) |")
        rows.append("| intervals decided but never written | \(p.decisionsWithoutWrite) | intervals sampled more than once (a retried reconcile): \(p.resampled); status patches carrying a `lastAnalysis`: \(Self.int(p.analysisPatches)) |")
        rows.append("| progression time | \(Self.secs(p.seconds)) | template PATCH of \(Self.int(p.rollouts)) Rollouts (took \(Self.secs(p.updateSeconds))) until none is Progressing; final phases: \(p.finalPhases.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")) (all \(Self.int(results.rest.last?.rollouts ?? 0)) Rollouts) |")
        rows.append("| reconciles | **\(Self.num(Double(reconciles) / p.seconds))/s** | \(Self.int(reconciles)) (\(byOutcome)); duration p50 \(Self.ms(p.reconcileDurations.p50)), p99 \(Self.ms(p.reconcileDurations.p99)), max \(Self.ms(p.reconcileDurations.max)); work queue depth max \(p.maxQueueDepth) |")
        rows.append("| analysis decisions | \(p.decisions.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")) | counted by `fledge_analysis_decisions_total` (whole run) |")
        rows.append("| controller requests | **\(Self.num(Double(p.requests.total) / p.seconds))/s** | \(methods)\(failures.isEmpty ? "" : "; failed: \(failures)") |")
        rows.append("| emulator writes (request log) | **\(Self.num(Double(p.emulatorWrites) / p.seconds))/s** | \(Self.int(p.emulatorWrites)) mutating requests: \(writes) (the load client's template PATCHes included) |")
        rows.append("| CPU during the progression | controller process \(Self.pct(p.cpu)), emulator \(p.emulatorCPU.map(Self.pct) ?? "?") | % of one core, wall \(Self.secs(p.seconds)); \(ProcessInfo.processInfo.activeProcessorCount) cores |")
        let perReconcile = reconciles > 0 ? p.cpu / 100 * p.seconds / Double(reconciles) * 1000 : 0
        rows.append("| CPU per reconcile | **\(Self.ms(perReconcile))** | the benchmark process's CPU (the controller, and the load client that patches templates and serves the synthetic metrics) ÷ reconciles: an upper bound on the controller's own |")
        return rows.joined(separator: "\n") + "\n"
    }

    var rollbackTable: String {
        guard let p = results.progress else { return "" }
        var rows = ["| Rollout | first bad interval ends (after the instant) | canary scaled to 0 (PATCH response) | request log upper bound |", "| --- | --- | --- | --- |"]
        for rb in p.rollbacks {
            rows.append("| \(rb.rollout) | \(rb.firstBadIntervalEnd.map(Self.secs3) ?? "none judged (rolled back on earlier data)") | **\(rb.scaleDown.map(Self.secs3) ?? "not seen")** | \(rb.logUpperBound.map(Self.secs3) ?? "not in log") |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    var maxRollback: Double? {
        guard let p = results.progress, !p.rollbacks.isEmpty else { return nil }
        let all = p.rollbacks.map(\.scaleDown)
        if all.contains(where: { $0 == nil }) { return .infinity }
        return all.compactMap { $0 }.max()
    }

    var targets: String {
        var rows = ["| target | measured | met? |", "| --- | --- | --- |"]
        if let big = results.rest.last {
            let met = big.rollouts >= 10_000 ? (Double(big.rssRaw) <= 200 * 1_048_576 ? "**yes**" : "**no**") : "not measured (quick run: \(Self.int(big.rollouts)) Rollouts)"
            rows.append("| controller RSS ≤ 200 MB at 10,000 Healthy Rollouts | \(Self.mib(big.rssRaw)) at \(Self.int(big.rollouts)) (\(Self.mib(big.rssTrimmed)) after malloc_trim) | \(met) |")
        }
        if let p = results.progress {
            let at = p.rollouts >= 1_000 ? "" : " (quick run: \(p.rollouts) progressing)"
            rows.append("| decision → patch p99 ≤ 1 s at 1,000 progressing | p99 \(Self.ms(p.decisionToPatch.p99)) at \(Self.int(p.rollouts))\(at) | \(p.decisionToPatch.count > 0 && p.decisionToPatch.p99 <= 1_000 ? "**yes**" : "**no**")\(at.isEmpty ? "" : " (at this size)") |")
            if let worst = maxRollback {
                let limit = Double(options.intervalSeconds) + 2
                rows.append("| failure → canary scaled to 0 ≤ one interval + 2 s (\(options.intervalSeconds) + 2 = \(Int(limit)) s) | max \(worst.isFinite ? Self.secs3(worst) : "a canary was never scaled to 0") over \(p.rollbacks.count) bad canaries | \(worst <= limit ? "**yes**" : "**no**") |")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Everything printed to stdout.
    var text: String {
        """
        ## Scale at rest

        \(restTable)
        ## Progression: decision → patch (\(Self.int(options.progressing)) progressing)

        \(progressTable)
        ## Failure → rollback (interval \(options.intervalSeconds) s)

        \(rollbackTable)
        ## Targets

        \(targets)
        """
    }

    func document(date: Date) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        let p = results.progress
        return """
        # Controller scale benchmark

        The Rollout controller (`FledgeController`, as `fledge-controller` assembles it) at rest with thousands of
        Rollouts, and while 1,000 of them progress through canary analysis at once: memory, idle CPU, time to
        converge, the delay from an analysis decision to the write that carries it, and from a canary going bad to
        its rollback. Generated by `fledge-bench-controller`; do not edit by hand, re-run the command.

        - Reproduce: `\(options.reproduceCommand)` (release build; `--quick` for a smoke run)
        - Flags: `\(options.flags)`; controller client rate limit qps \(Self.num(results.qps)), burst \(results.burst)\(options.qps == 200 && options.burst == 400 ? " (fledge-controller's defaults)" : "")
        - Date: \(stamp)
        - Machine: \(Self.machine())
        - Run time: \(Self.secs(results.totalSeconds)) (\(options.quick ? "quick run" : "full run")); load average (1, 5, 15 min) at start: \(results.loadAverage)

        \(text)
        ## Setup

        - **Two processes.** The emulator runs as a child process, `fledge-emulator \(results.emulatorArguments.joined(separator: " "))`
          (release build), so this process holds only the controller and the benchmark's small load client. Both
          share the machine's \(ProcessInfo.processInfo.activeProcessorCount) cores.
        - **The controller** is `FledgeController` with \(options.workers) workers, all namespaces, resync 10 min (the defaults), its
          informers and workers run in a `ServiceGroup` in this process, no leader election. Its `KubeClient` is
          configured from the emulator's kubeconfig with `ClientConfiguration.detect`, as `fledge-controller` does, so
          its client-side rate limit is qps \(Self.num(results.qps)) / burst \(results.burst). Its transport is wrapped to count requests and to time
          the writes measured here (the timestamps are taken around the HTTP exchange, after the rate limiter).
          Logs go to a handler that counts lines and writes nothing, and metrics to a backend that counts
          reconciles and decisions and drops the per-Rollout gauges: the JSON log encoding and the Prometheus
          registry of the real executable (7 gauge series per Rollout) are **not** in these figures.
        - **CRD**: `crds/rollouts.fledge.dev.yaml`, converted to JSON with python3 (PyYAML) at run time and created
          through the API, so the emulator validates and prunes with the real schema.
        - **Rollouts**: `r-00000`…, spread round-robin over \(options.namespaces) namespaces; \(options.replicas) replicas, one container
          (image `registry.example/bench/app:v1`, resource requests, \(options.ports ? "a container port, so 3 Services each" : "no ports, so no Services")), steps
          `[{setWeight: 50}, {analysis: {duration: "\(options.analysisSeconds)s"}}]`, analysis `interval: "\(options.intervalSeconds)s"`, `warmup: "0s"`,
          `prometheus: {address: "http://unused", lag: "0s"}`. Created by \(options.loadConcurrency) concurrent POSTs from a separate
          client without rate limit; Deployments become ready 1 s after each change (`--deployment-ready-delay 1s`);
          no Pods (`--no-pods`).
        - **At rest**: \(options.restSizes.map { Self.int($0) }.joined(separator: " then ")) Rollouts (the second size created on top of the first).
          *Converge* runs from the first create until a list with `fieldSelector=status.phase!=Healthy` is empty
          (polled every second with `limit=1`). *Idle CPU*: `getrusage` user+sys of this process over \(options.idleSeconds) s, 3 s after
          convergence, as % of one core; the emulator's from `/proc/<pid>/stat`. *RSS*: `VmRSS` of this process
          minus `VmRSS` before the controller was created (after a `malloc_trim`, baseline \(Self.mib(results.rssBaseline))), read at the
          end of the idle window, then again after `malloc_trim(0)` (glibc keeps freed memory; the second
          figure is closer to the live heap). The load client's garbage from creating the Rollouts is in it.
        - **Progression**: the templates of the first \(Self.int(options.progressing)) Rollouts are PATCHed to `v2` (\(options.loadConcurrency) at a
          time); the other \(Self.int((results.rest.last?.rollouts ?? 0) - options.progressing)) stay Healthy and idle. The synthetic metrics
          source (an in-memory `AnalysisMetricsSource`) answers every interval with Poisson counts, deterministic
          per Rollout and interval: about 2,000 requests per track, 1% errors on both, the same lognormal latency
          histogram (OpenTelemetry's default buckets); the baseline has 12 intervals' worth of stable traffic.
          It records when each interval's sample is returned (the decision follows in the same call); the
          wrapped transport records the status PATCH whose body carries that interval's `status.lastAnalysis.time`.
          *Decision → patch* is the difference (first return, first successful write: a reconcile that fails and
          samples the interval again is charged from its first return). The run ends when every Rollout has been
          analysed at least once and none is Progressing.
        - **Bad canaries**: \(options.badCanaries) of the progressing Rollouts, evenly spread. Once each has had an interval sampled,
          each gets an instant (1 s from then, spaced \(Self.num(Double(options.intervalSeconds) / Double(options.badCanaries))) s apart, so they fall at different points of their
          intervals); every interval ending after it has 10× the canary error rate (10% against 1%). The
          rollback time runs from that instant to the response of the canary Deployment's `spec.replicas: 0` PATCH.
          The column *first bad interval ends* is the part of it spent waiting for data: an interval must end
          before it can be judged.
        - **Request log check**: the emulator's log of mutating requests (`GET /emulator.fledge.dev/requests`,
          cleared before the progression) is read at the end; every status patch timed above is looked up in it
          by path and `lastAnalysis.time`. Its times have whole-second resolution, so it can only confirm the
          write reached the server in the second it was sent and give an upper bound (log time + 1 s).
        - The machine is shared with other engineers' builds, so figures vary between runs (see the load
          average above).

        ## What dominates

        \(analysis())
        ## What the synthetic metrics source skips

        \(skipped())
        """
    }

    private func analysis() -> String {
        var lines: [String] = []
        if let p = results.progress {
            let rate = Double(p.requests.total) / p.seconds
            let nonWatch = p.requests.total
            if results.qps > 0 {
                let bound = rate >= 0.8 * results.qps
                lines.append("- **Client rate limit**: the controller sent \(Self.num(rate)) requests/s during the progression against a limit of \(Self.num(results.qps))/s (burst \(results.burst)). \(bound ? "It ran at the limit: every write waits its turn in the token bucket, so latencies grow with the backlog, not with the emulator." : "It stayed below the limit.")")
            }
            let perRollout = Double(nonWatch) / Double(max(1, p.rollouts))
            let statusPerInterval = Double(p.analysisPatches) / Double(max(1, p.decisionToPatch.count))
            let needed = Double(p.rollouts) / Double(options.intervalSeconds) * statusPerInterval
            lines.append("- **Write budget**: each progressing Rollout cost \(Self.num(perRollout)) controller requests over the run; a steady analysis alone needs one status PATCH per interval per Rollout (\(Self.num(statusPerInterval)) measured), i.e. \(Self.num(needed))/s for \(Self.int(p.rollouts)) Rollouts at a \(options.intervalSeconds) s interval\(results.qps > 0 ? " against qps \(Self.num(results.qps))" : "").")
            let share = p.decisionToPatch.p99 > 0 ? p.decisionToSend.p99 / p.decisionToPatch.p99 : 0
            lines.append("- **Where the decision → patch time goes**: p99 \(Self.ms(p.decisionToSend.p99)) before the PATCH is sent (planning, Deployment writes, rate limiter) against p99 \(Self.ms(p.roundTrip.p99)) for the PATCH itself: \(Self.pct(share * 100)) of the p99 is spent in the controller process before sending.")
            lines.append("- **Reconciles**: p50 \(Self.ms(p.reconcileDurations.p50)), p99 \(Self.ms(p.reconcileDurations.p99)) per reconcile (including the writes and any rate-limiter wait); the work queue held up to \(p.maxQueueDepth) keys. With \(options.workers) workers, a worker blocked in the rate limiter or in a metrics query holds no other key.")
            lines.append("- **CPU**: the controller process used \(Self.pct(p.cpu)) of a core and the emulator \(p.emulatorCPU.map(Self.pct) ?? "?") during the progression, on \(ProcessInfo.processInfo.activeProcessorCount) cores.")
        }
        if let big = results.rest.last, big.rollouts > 0 {
            lines.append("- **Memory**: \(Self.mib(big.rssRaw)) over baseline at \(Self.int(big.rollouts)) Rollouts, about \(Self.num(Double(big.rssRaw) / Double(big.rollouts) / 1024)) KiB per Rollout (its cached Rollout and stable Deployment, each typed and with its full `originalJSON`, plus the store indexes); \(Self.mib(big.rssTrimmed)) after `malloc_trim`.")
            lines.append("- **Converging**: \(Self.int(big.created)) new Rollouts took \(Self.secs(big.convergeSeconds)), \(Self.num(Double(big.requests) / Double(max(1, big.created)))) controller requests each (\(Self.num(Double(big.requests) / big.convergeSeconds))/s\(results.qps > 0 ? ", limit \(Self.num(results.qps))/s" : "")).")
        }
        let warnings = (results.logLines[.warning] ?? 0) + (results.logLines[.error] ?? 0) + (results.logLines[.critical] ?? 0)
        lines.append("- **Controller log**: \(results.logLines.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.int($0.value))" }.joined(separator: ", ")) lines\(warnings > 0 ? "; first warnings: " + results.logSamples.map { "`\($0.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "/"))`" }.joined(separator: "; ") : "").")
        if !results.clientFailures.isEmpty {
            lines.append("- **Failed requests** (whole run): \(results.clientFailures.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "transport error" : "HTTP \($0.key)") ×\($0.value)" }.joined(separator: ", ")).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func skipped() -> String {
        let n = options.progressing
        let perSecond = Double(n) / Double(options.intervalSeconds)
        let budget = Double(options.workers) / perSecond * 1000
        return """
        - **Prometheus query time.** The synthetic source answers in microseconds. `PrometheusProvider` sends 4
          instant queries per interval (2 series × 2 tracks, concurrently; docs/prometheus.md) and 2 for the
          baseline. No figure for their latency is measured in this repository (docs/benchmarks/analysis.md
          times the analysis arithmetic, not the queries), so none is assumed here. How it adds: the query runs
          *before* the sample is returned, so it is not inside *decision → patch*; it adds once to *failure →
          rollback* (the bad interval's query), and it holds a worker: the analysis runs inside the reconcile.
          \(Self.int(n)) Rollouts at a \(options.intervalSeconds) s interval need \(Self.num(perSecond)) samples/s, so with \(options.workers) workers
          each sample (4 concurrent queries) must take under \(Self.num(budget)) ms on average, or the workers, not the
          API writes, become the bottleneck and every interval is judged late.
        - Prometheus' own lag (`prometheus.lag`, here 0 s; the default is the scrape interval + 5 s) delays each
          interval's judgement by that much; with a real lag, failure → rollback grows by it.
        - Pods, ReplicaSets and Services (no ports) are not created, and the controller does not watch them.
        """
    }

    static func machine() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var model = "unknown CPU"
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let memory = String(format: "%.1f GiB", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)
        return "\(cores) cores (\(model)), \(memory) RAM, Linux"
    }

    static func int(_ n: Int) -> String { int(Double(n)) }
    static func int(_ x: Double) -> String {
        let n = Int(x.rounded())
        let s = String(abs(n))
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
    static func num(_ x: Double) -> String {
        if x.magnitude >= 100 { return int(x) }
        if x.magnitude >= 10 { return String(format: "%.1f", x) }
        return String(format: "%.2f", x)
    }
    static func ms(_ x: Double) -> String { String(format: x.magnitude < 10 ? "%.2f ms" : "%.0f ms", x) }
    static func secs(_ x: Double) -> String { String(format: "%.1f s", x) }
    static func secs3(_ x: Double) -> String { String(format: "%.2f s", x) }
    static func pct(_ x: Double) -> String { String(format: x < 10 ? "%.2f %%" : "%.1f %%", x) }
    static func mib(_ b: Int) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
}
