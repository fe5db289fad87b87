import BenchSupport
import Foundation
import Kube
import KubeEmulator
import KubeJSON

/// Everything one run measured.
struct BenchResults: Sendable {
    var rssBaseline = 0
    var rssEmpty = 0
    var rssLoaded = 0
    var rssWatching = 0
    var create: RateResult?
    var get: RateResult?
    var patch: RateResult?
    var rawGet: RateResult?
    var rawPatch: RateResult?
    var rawPatchIdleWatches: RateResult?
    var rssBeforeWatches = 0
    var patchWhileWatched: RateResult?
    var fanout: FanoutResult?
    var codec: CodecBenchmark.Result?
    var totalSeconds = 0.0
    /// `/proc/loadavg`'s first three fields when the run started (the machine is shared).
    var loadAverage = "unknown"
}

/// Runs the phases in order against one in-process emulator, printing progress to stderr.
struct Benchmark: Sendable {
    let options: Options

    func run() async throws -> BenchResults {
        let started = Nanos.now()
        var r = BenchResults()
        let workload = Workload(objects: options.objects, namespaces: options.namespaces)
        r.rssBaseline = ProcessStats.residentBytes() ?? 0
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            r.loadAverage = load.split(separator: " ").prefix(3).joined(separator: ", ")
        }

        var config = EmulatorConfiguration()
        config.createPods = false
        config.deploymentReadyDelay = .milliseconds(10)
        let emulator = try await KubeEmulator.start(config)
        let pool = try ClientPool(server: emulator.url, count: options.clients)
        let fleet = WatchFleet(watchers: options.watches, eventsPerWatcher: options.fanoutPatches + options.burstPatches)
        var deploymentJSON = Data()
        do {
            r.rssEmpty = ProcessStats.residentBytes() ?? 0
            progress("emulator at \(emulator.url.absoluteString); creating \(options.namespaces) namespaces, \(options.objects) ConfigMaps")
            try await workload.createNamespaces(pool.clients[0])
            r.create = try await RateResult.measure("POST (create ConfigMap)") {
                try await pool.run(total: options.objects) { c, i in try await workload.create(i, with: c) }
            }
            r.rssLoaded = ProcessStats.residentBytes() ?? 0

            progress("GET x\(options.getRequests)")
            r.get = try await RateResult.measure("GET ConfigMap") {
                try await pool.run(total: options.getRequests) { c, k in try await workload.get(Workload.scatter(k) % workload.objects, with: c) }
            }
            progress("PATCH x\(options.patchRequests)")
            r.patch = try await RateResult.measure("PATCH ConfigMap (merge), no watches") {
                try await pool.run(total: options.patchRequests) { c, k in try await workload.patch(workload.unwatchedObject(k), seq: k, with: c) }
            }
            let raw = RawClientPool(server: emulator.url, workers: options.clients)
            progress("raw GET x\(options.getRequests), raw PATCH x\(options.patchRequests)")
            r.rawGet = try await RateResult.measure("GET ConfigMap, raw HTTP") {
                try await raw.run(total: options.getRequests) { k in (workload.path(Workload.scatter(k &+ 7) % workload.objects), nil) }
            }
            r.rawPatch = try await RateResult.measure("PATCH ConfigMap (merge), raw HTTP, no watches") {
                try await raw.run(total: options.patchRequests) { k in
                    (workload.path(workload.unwatchedObject(k &+ 7)), Workload.patchBody(seq: 2 * options.patchRequests + k))
                }
            }
            r.rawPatchIdleWatches = try await idleWatchesPhase(emulator, workload, raw)
            await raw.shutdown()
            r.rssBeforeWatches = ProcessStats.residentBytes() ?? 0

            progress("opening \(options.watches) watches on \(Workload.watchedNamespace)")
            let url = emulator.url.absoluteString + "/api/v1/namespaces/\(Workload.watchedNamespace)/configmaps"
                + "?watch=true&resourceVersion=\(emulator.resourceVersion)"
            let openStart = Nanos.now()
            try await fleet.open(url: url)
            let openSeconds = Nanos.seconds(openStart, Nanos.now())
            r.rssWatching = ProcessStats.residentBytes() ?? 0

            let n = options.patchRequests / 4
            progress("PATCH x\(n) elsewhere with the watches open")
            r.patchWhileWatched = try await RateResult.measure("PATCH ConfigMap (merge), \(Report.int(Double(options.watches))) watches open on another namespace") {
                try await pool.run(total: n) { c, k in
                    try await workload.patch(workload.unwatchedObject(k), seq: 3 * options.patchRequests + k, with: c)
                }
            }
            guard fleet.tracker.total == 0 else { throw BenchError("watchers received events for another namespace") }

            progress("fan-out: \(options.fanoutPatches) sequential PATCHes, then a burst of \(options.burstPatches)")
            r.fanout = try await fanout(workload, pool, fleet, openSeconds: openSeconds)
            try verify(fleet)

            deploymentJSON = try await CodecBenchmark.sampleDeployment(pool.clients[0])
        } catch {
            await fleet.close()
            await emulator.shutdown()
            await pool.shutdown()
            throw error
        }
        await fleet.close()
        await emulator.shutdown()
        await pool.shutdown()

        progress("Deployment decode/encode, \(options.codecSeconds) s per loop")
        r.codec = try CodecBenchmark(json: deploymentJSON, seconds: options.codecSeconds).run()
        r.totalSeconds = Nanos.seconds(started, Nanos.now())
        return r
    }

    /// Raw PATCHes of ConfigMaps with `options.idleWatches` watches open on Secrets, which no PATCH matches;
    /// the watches are closed again afterwards.
    private func idleWatchesPhase(_ emulator: KubeEmulator, _ workload: Workload, _ raw: RawClientPool) async throws -> RateResult {
        let idle = WatchFleet(watchers: options.idleWatches, eventsPerWatcher: 0)
        progress("opening \(options.idleWatches) idle watches on secrets; raw PATCH x\(options.patchRequests) of configmaps")
        let result: RateResult
        do {
            try await idle.open(url: emulator.url.absoluteString + "/api/v1/namespaces/\(Workload.watchedNamespace)/secrets"
                                + "?watch=true&resourceVersion=\(emulator.resourceVersion)")
            result = try await RateResult.measure("PATCH ConfigMap (merge), raw HTTP, \(Report.int(Double(options.idleWatches))) idle watches on Secrets") {
                try await raw.run(total: options.patchRequests) { k in
                    (workload.path(workload.unwatchedObject(k &+ 11)), Workload.patchBody(seq: 4 * options.patchRequests + k))
                }
            }
        } catch {
            await idle.close()
            throw error
        }
        guard idle.tracker.total == 0 else { throw BenchError("idle watchers received events") }
        await idle.close()
        return result
    }

    /// Sequential PATCHes, each waited for at every watcher, then a burst from all clients.
    private func fanout(_ workload: Workload, _ pool: ClientPool, _ fleet: WatchFleet, openSeconds: Double) async throws -> FanoutResult {
        let watched = workload.watchedObjects
        let watchers = options.watches
        let client = pool.clients[0]
        var sent: [Int64] = [], responded: [Int64] = []
        for p in 0..<options.fanoutPatches {
            sent.append(Nanos.now())
            try await workload.patch(watched[p % watched.count], seq: p, with: client)
            responded.append(Nanos.now())
            guard await fleet.tracker.wait(untilTotal: (p + 1) * watchers, timeout: .seconds(60)) else {
                throw BenchError("patch \(p): only \(fleet.tracker.total - p * watchers) of \(watchers) watchers got the event within 60 s")
            }
        }
        var fromResponse: [Int64] = [], fromSend: [Int64] = [], last: [Int64] = []
        for p in 0..<options.fanoutPatches {
            let arrivals = fleet.tracker.arrivals(ofEvent: p)
            fromResponse += arrivals.map { $0 - responded[p] }
            fromSend += arrivals.map { $0 - sent[p] }
            last.append((arrivals.max() ?? 0) - sent[p])
        }
        let before = fleet.tracker.total
        let burstStart = Nanos.now()
        let burst = try await RateResult.measure("PATCH ConfigMap (merge) in the watched namespace (\(Report.int(Double(watchers))) watchers each)") {
            try await pool.run(total: options.burstPatches) { c, k in
                try await workload.patch(watched[k % watched.count], seq: options.fanoutPatches + k, with: c)
            }
        }
        guard await fleet.tracker.wait(untilTotal: before + options.burstPatches * watchers, timeout: .seconds(120)) else {
            throw BenchError("burst: only \(fleet.tracker.total - before) of \(options.burstPatches * watchers) events delivered in 120 s")
        }
        let delivery = Nanos.seconds(burstStart, Nanos.now())
        return FanoutResult(watchers: watchers, patches: options.fanoutPatches, openSeconds: openSeconds,
                            fromResponse: LatencySummary(nanoseconds: fromResponse), fromSend: LatencySummary(nanoseconds: fromSend),
                            lastWatcher: LatencySummary(nanoseconds: last),
                            patchRoundTrip: LatencySummary(nanoseconds: zip(sent, responded).map { $1 - $0 }),
                            burst: burst, burstDeliverySeconds: delivery)
    }

    /// Watcher 0's stream: one MODIFIED event per PATCH, the sequential ones in order with their annotation.
    private func verify(_ fleet: WatchFleet) throws {
        if let e = fleet.errors.first { throw BenchError(e) }
        let lines = fleet.sampleLines
        guard lines.count == options.fanoutPatches + options.burstPatches else {
            throw BenchError("watcher 0 got \(lines.count) events, expected \(options.fanoutPatches + options.burstPatches)")
        }
        for (p, line) in lines.enumerated() {
            let event = try JSONValue(parsing: Data(line.utf8))
            guard event["type"]?.stringValue == "MODIFIED" else { throw BenchError("event \(p) is not MODIFIED: \(line.prefix(200))") }
            let seq = event["object"]?["metadata"]?["annotations"]?["bench.fledge.dev/seq"]?.stringValue
            if p < options.fanoutPatches, seq != String(p) { throw BenchError("event \(p) carries seq \(seq ?? "none")") }
        }
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data(("fledge-bench-kube: " + message + "\n").utf8))
    }
}
