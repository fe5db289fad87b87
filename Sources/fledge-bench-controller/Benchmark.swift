import BenchSupport
import Foundation
import Kube
import KubeJSON
import Logging
import RolloutAPI
import RolloutController
import ServiceLifecycle

/// One scale-at-rest measurement.
struct RestResult: Sendable {
    var rollouts = 0
    var created = 0
    var createSeconds = 0.0
    var convergeSeconds = 0.0
    var convergeCPU = 0.0
    var convergeEmulatorCPU: Double?
    var reconciles = 0
    var requests = 0
    var rssRaw = 0
    var rssTrimmed = 0
    var emulatorRSS: Int?
    var idleSeconds = 0.0
    var idleCPU = 0.0
    var idleEmulatorCPU: Double?
    var idleReconciles = 0
    var idleRequests = 0
}

/// One bad canary: when it went bad and when the controller scaled it to 0.
struct Rollback: Sendable {
    var rollout: String
    /// Seconds from the bad instant to the end of the first interval ending after it (the data's own delay).
    var firstBadIntervalEnd: Double?
    /// Seconds from the bad instant to the canary's scale-to-0 PATCH response (nil: never seen).
    var scaleDown: Double?
    /// The same from the emulator's request log (whole-second times): an upper bound.
    var logUpperBound: Double?
}

/// The progression measurement (decision → patch, rollbacks, rates).
struct ProgressResult: Sendable {
    var rollouts = 0
    var seconds = 0.0
    var updateSeconds = 0.0
    var decisionToPatch = LatencySummary(nanoseconds: [])
    var decisionToSend = LatencySummary(nanoseconds: [])
    /// From the end of the interval (when its data exists) to the status patch with its decision: how late
    /// intervals are judged, which decision → patch does not show.
    var intervalEndToPatch = LatencySummary(nanoseconds: [])
    var roundTrip = LatencySummary(nanoseconds: [])
    var decisionsWithoutWrite = 0
    var resampled = 0
    var analysisPatches = 0
    var logMatched = 0
    var logInconsistent = 0
    var logUpperBound = LatencySummary(nanoseconds: [])
    var rollbacks: [Rollback] = []
    var reconciles: [String: Int] = [:]
    var reconcileDurations = LatencySummary(nanoseconds: [])
    var maxQueueDepth: Int64 = 0
    var decisions: [String: Int] = [:]
    var requests = RecordingTransport.Counts()
    var emulatorWrites = 0
    var emulatorWritesByResource: [String: Int] = [:]
    var cpu = 0.0
    var emulatorCPU: Double?
    var finalPhases: [String: Int] = [:]
    var rssRaw = 0
}

/// Everything one run measured.
struct BenchResults: Sendable {
    var loadAverage = "unknown"
    var qps = 0.0
    var burst = 0
    var emulatorArguments: [String] = []
    var rssBaseline = 0
    var rest: [RestResult] = []
    var progress: ProgressResult?
    var logLines: [Logger.Level: Int] = [:]
    var logSamples: [String] = []
    var clientFailures: [Int: Int] = [:]
    var totalSeconds = 0.0
}

/// Runs the phases in order: emulator (child process), controller (in this process), Rollouts at rest at two
/// sizes, then a progression of the first Rollouts with some canaries going bad.
struct Benchmark: Sendable {
    let options: Options

    func run() async throws -> BenchResults {
        let started = Nanos.now()
        var r = BenchResults()
        r.loadAverage = ProcessStats.loadAverage()
        let emulatorPath = options.emulator
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fledge-emulator").path
        let emulator = try EmulatorProcess.start(executable: emulatorPath, readyDelay: "1s")
        r.emulatorArguments = emulator.arguments
        progress("emulator (pid \(emulator.pid)) at \(emulator.url.absoluteString)")
        defer { emulator.stop() }

        let load = try KubeClient(configuration: ClientConfiguration(server: emulator.url, qps: 0, burst: 1))
        let fleet = Fleet(client: load, options: options)
        try await fleet.setUp(crdPath: "crds/rollouts.fledge.dev.yaml")

        // The controller, wired as fledge-controller wires it, minus leader election and the operations server.
        var configuration = try ClientConfiguration.detect(kubeconfigPath: emulator.kubeconfigPath)
        if let qps = options.qps { configuration.qps = qps }
        if let burst = options.burst { configuration.burst = burst }
        r.qps = configuration.qps
        r.burst = configuration.burst
        let sink = CountingLogHandler.Sink()
        var logger = Logger(label: "fledge.controller") { _ in CountingLogHandler(sink: sink) }
        logger.logLevel = .info
        let http = try HTTPTransport(configuration: configuration)
        let transport = RecordingTransport(http)
        let source = SyntheticMetricsSource(requestsPerInterval: 2_000)
        let metrics = CountingMetrics()

        ProcessStats.trimHeap()
        r.rssBaseline = ProcessStats.residentBytes() ?? 0
        let client = try KubeClient(configuration: configuration, transport: transport, logger: logger)
        var controllerOptions = FledgeControllerOptions()
        controllerOptions.workers = options.workers
        let fledge = FledgeController(client: client, options: controllerOptions, metricsSource: source,
                                      metrics: ControllerMetrics(factory: metrics), logger: logger)
        let workers = SyncedService(fledge.controller) { try await fledge.waitForSync() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: (fledge.informers + [workers]).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            logger: logger))
        let running = Task { try await group.run() }
        do {
            try await fledge.waitForSync()
            progress("controller synced: \(options.workers) workers, client qps \(Report.num(configuration.qps)), burst \(configuration.burst)")
            var created = 0
            for size in options.restSizes {
                r.rest.append(try await rest(size: size, from: created, fleet: fleet, emulator: emulator, transport: transport, metrics: metrics, baseline: r.rssBaseline))
                created = size
            }
            r.progress = try await progression(fleet: fleet, emulator: emulator, transport: transport, source: source, metrics: metrics)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            try? await http.shutdown()
            try? await load.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await fledge.shutdown()
        try? await http.shutdown()
        try? await load.shutdown()
        r.logLines = sink.byLevel
        r.logSamples = sink.samples
        r.clientFailures = transport.counts.failures
        r.totalSeconds = Nanos.seconds(started, Nanos.now())
        return r
    }

    /// Creates Rollouts up to `size`, waits for all of them to be Healthy, then samples idle CPU and memory.
    private func rest(size: Int, from: Int, fleet: Fleet, emulator: EmulatorProcess, transport: RecordingTransport,
                      metrics: CountingMetrics, baseline: Int) async throws -> RestResult {
        var x = RestResult()
        x.rollouts = size
        x.created = size - from
        progress("creating Rollouts \(from)..<\(size) (\(x.created)), waiting for all \(size) to be Healthy")
        let reconciles0 = metrics.totalReconciles, requests0 = transport.counts.total
        let cpu = CPUWindow.begin(child: emulator.pid)
        let start = Nanos.now()
        try await fleet.create(from..<size)
        x.createSeconds = Nanos.seconds(start, Nanos.now())
        _ = try await fleet.waitUntilNone("status.phase!=Healthy", what: "not Healthy", timeout: options.convergeTimeout)
        let total = try await fleet.count(fieldSelector: nil)
        guard total == size else { throw BenchError("expected \(size) Rollouts, the API has \(total)") }
        let window = cpu.end()
        x.convergeSeconds = window.wall
        x.convergeCPU = window.selfPercent
        x.convergeEmulatorCPU = window.childPercent
        x.reconciles = metrics.totalReconciles - reconciles0
        x.requests = transport.counts.total - requests0
        progress("  \(size) Healthy after \(Report.secs(x.convergeSeconds)) (creates took \(Report.secs(x.createSeconds))); \(x.reconciles) reconciles, \(x.requests) controller requests")

        // Let the last writes' watch events and requeues settle, then measure idle.
        try await Task.sleep(for: .seconds(3))
        let idleReconciles0 = metrics.totalReconciles, idleRequests0 = transport.counts.total
        let idle = CPUWindow.begin(child: emulator.pid)
        try await Task.sleep(for: .seconds(options.idleSeconds))
        let idleWindow = idle.end()
        x.idleSeconds = idleWindow.wall
        x.idleCPU = idleWindow.selfPercent
        x.idleEmulatorCPU = idleWindow.childPercent
        x.idleReconciles = metrics.totalReconciles - idleReconciles0
        x.idleRequests = transport.counts.total - idleRequests0
        x.rssRaw = (ProcessStats.residentBytes() ?? 0) - baseline
        ProcessStats.trimHeap()
        x.rssTrimmed = (ProcessStats.residentBytes() ?? 0) - baseline
        x.emulatorRSS = emulator.residentBytes
        progress("  idle \(Report.secs(x.idleSeconds)): CPU \(Report.pct(x.idleCPU)) of a core (\(x.idleReconciles) reconciles, \(x.idleRequests) requests); RSS over baseline \(Report.mib(x.rssRaw)) (\(Report.mib(x.rssTrimmed)) after malloc_trim)")
        return x
    }

    /// Updates the template of the first `progressing` Rollouts; `badCanaries` of them go bad at known instants.
    private func progression(fleet: Fleet, emulator: EmulatorProcess, transport: RecordingTransport,
                             source: SyntheticMetricsSource, metrics: CountingMetrics) async throws -> ProgressResult {
        var x = ProgressResult()
        let n = options.progressing
        x.rollouts = n
        let bad = (0..<options.badCanaries).map { $0 * (n / options.badCanaries) + n / (2 * options.badCanaries) }
        progress("progression: \(n) Rollouts to v2 (interval \(options.intervalSeconds) s, analysis \(options.analysisSeconds) s); \(bad.count) canaries go bad")
        try await fleet.clearRequestLog()
        source.record(true)
        transport.record(true)
        metrics.recordDurations(true)
        let reconciles0 = metrics.reconciles, requests0 = transport.counts
        let clocks = ClockPair.now()
        let cpu = CPUWindow.begin(child: emulator.pid)
        let start = Nanos.now()
        try await fleet.update(0..<n, to: "v2")
        x.updateSeconds = Nanos.seconds(start, Nanos.now())

        var badAt: [String: ClockPair] = [:]
        var lastReport = Nanos.now()
        while true {
            try await Task.sleep(for: .milliseconds(500))
            let now = Nanos.now()
            if Nanos.seconds(start, now) > options.convergeTimeout { throw BenchError("the progression did not finish in \(Int(options.convergeTimeout)) s") }
            if badAt.isEmpty, bad.allSatisfy({ source.sampleCount(fleet.key($0)) >= 1 }) {
                // Every bad canary is being analysed: it goes bad at a known instant, spread within an interval.
                let base = ClockPair.now()
                for (j, i) in bad.enumerated() {
                    let offset = 1.0 + Double(j) * Double(options.intervalSeconds) / Double(bad.count)
                    let instant = ClockPair(wall: base.wall.addingTimeInterval(offset), mono: base.mono + Int64(offset * 1e9))
                    badAt[fleet.key(i)] = instant
                    source.makeBad(fleet.key(i), at: instant.wall)
                }
                progress("  bad instants set \(Report.secs(Nanos.seconds(start, base.mono))) into the progression")
            }
            let analysing = (0..<n).filter { source.sampleCount(fleet.key($0)) >= 1 }.count
            if Nanos.seconds(lastReport, now) >= 15 {
                let progressing = try await fleet.count(fieldSelector: "status.phase=Progressing")
                progress("  \(Int(Nanos.seconds(start, now))) s: \(analysing) of \(n) analysed at least once, \(progressing) Progressing, queue \(metrics.queueDepth)")
                lastReport = now
            }
            guard analysing == n, !badAt.isEmpty else { continue }
            if try await fleet.count(fieldSelector: "status.phase=Progressing") == 0 { break }
        }
        let window = cpu.end()
        x.seconds = window.wall
        x.cpu = window.selfPercent
        x.emulatorCPU = window.childPercent
        x.rssRaw = ProcessStats.residentBytes() ?? 0
        let requests1 = transport.counts
        x.requests.byMethod = requests1.byMethod.merging(requests0.byMethod.mapValues { -$0 }) { $0 + $1 }
        x.requests.failures = requests1.failures.merging(requests0.failures.mapValues { -$0 }) { $0 + $1 }
        x.reconciles = metrics.reconciles.merging(reconciles0.mapValues { -$0 }) { $0 + $1 }
        x.reconcileDurations = LatencySummary(nanoseconds: metrics.durations)
        x.maxQueueDepth = metrics.maxQueueDepth
        x.decisions = metrics.decisions
        source.record(false)
        transport.record(false)
        metrics.recordDurations(false)
        for phase in ["Healthy", "Degraded", "Paused", "Progressing"] {
            x.finalPhases[phase] = try await fleet.count(fieldSelector: "status.phase=\(phase)")
        }

        // Decision → patch: each interval's sample return to the status patch that carried its decision.
        let returned = source.returned
        let writes = transport.analysisWrites
        var total: [Int64] = [], toSend: [Int64] = [], trip: [Int64] = [], late: [Int64] = []
        for (key, ret) in returned {
            if ret.calls > 1 { x.resampled += 1 }
            guard let w = writes[key] else { x.decisionsWithoutWrite += 1; continue }
            total.append(w.responded - ret.first)
            toSend.append(w.sent - ret.first)
            trip.append(w.responded - w.sent)
            late.append(w.responded - clocks.mono(of: ret.end))
        }
        x.intervalEndToPatch = LatencySummary(nanoseconds: late)
        x.decisionToPatch = LatencySummary(nanoseconds: total)
        x.decisionToSend = LatencySummary(nanoseconds: toSend)
        x.roundTrip = LatencySummary(nanoseconds: trip)
        x.analysisPatches = transport.analysisPatches

        // The emulator's own log: every write the recorder saw must be there, at a consistent (whole-second) time.
        progress("  reading the emulator's request log")
        let log = try await fleet.takeRequestLog()
        x.emulatorWrites = log.count
        var logBounds: [Int64] = []
        var logScaleDowns: [String: Date] = [:]
        for item in log {
            guard item["method"]?.stringValue == "PATCH" || item["method"]?.stringValue == "POST",
                  let path = item["path"]?.stringValue, let time = item["time"]?.stringValue.flatMap(Timestamps.parse) else { continue }
            let parts = path.split(separator: "/")
            let resource = parts.firstIndex(of: "namespaces").flatMap { i in parts.count > i + 2 ? String(parts[i + 2]) : nil }
                ?? parts.last.map(String.init) ?? path
            x.emulatorWritesByResource["\(item["method"]?.stringValue ?? "") \(resource)\(path.hasSuffix("/status") ? "/status" : "")", default: 0] += 1
            guard item["method"]?.stringValue == "PATCH" else { continue }
            if parts.count == 8, parts[5] == "rollouts", parts[7] == "status",
               let at = item["body"]?["status"]?["lastAnalysis"]?["time"]?.stringValue {
                let key = "\(parts[4])/\(parts[6])|\(at)"
                guard let w = writes[key], let ret = returned[key] else { continue }
                x.logMatched += 1
                let sentFloor = floor(w.sentWall.timeIntervalSince1970)
                let respondedWall = clocks.wall.addingTimeInterval(Nanos.seconds(clocks.mono, w.responded))
                if time.timeIntervalSince1970 < sentFloor || time > respondedWall { x.logInconsistent += 1 }
                logBounds.append(clocks.mono(of: time.addingTimeInterval(1)) - ret.first)
            } else if parts.count == 7, parts[5] == "deployments", parts[6].hasSuffix("-canary"),
                      item["body"]?["spec"]?["replicas"]?.doubleValue == 0 {
                let rollout = "\(parts[4])/\(parts[6].dropLast("-canary".count))"
                if logScaleDowns[rollout] == nil { logScaleDowns[rollout] = time }
            }
        }
        x.logUpperBound = LatencySummary(nanoseconds: logBounds)

        // Failure → rollback.
        let scaleDowns = transport.canaryScaleDowns
        for i in bad {
            let key = fleet.key(i)
            guard let instant = badAt[key] else { continue }
            var rb = Rollback(rollout: key)
            // The first interval of this Rollout whose counts were bad: where the data turned.
            let firstBad = returned.filter { $0.key.hasPrefix(key + "|") && $0.value.bad }.map(\.value.end).min()
            rb.firstBadIntervalEnd = firstBad.map { $0.timeIntervalSince(instant.wall) }
            if let s = scaleDowns[key] { rb.scaleDown = Nanos.seconds(instant.mono, s.responded) }
            if let t = logScaleDowns[key] { rb.logUpperBound = t.addingTimeInterval(1).timeIntervalSince(instant.wall) }
            x.rollbacks.append(rb)
        }
        progress("  progression done in \(Report.secs(x.seconds)): decision → patch p50 \(Report.ms(x.decisionToPatch.p50)), p99 \(Report.ms(x.decisionToPatch.p99)), max \(Report.ms(x.decisionToPatch.max)) over \(x.decisionToPatch.count) intervals")
        return x
    }
}
