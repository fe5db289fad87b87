import BenchSupport
import Foundation
import Kube
import KubeJSON
import Synchronization

/// Wraps the controller client's transport: counts requests by method, and while recording notes when the writes
/// the benchmark times were sent and answered — Rollout status patches carrying `status.lastAnalysis.time`, and
/// canary Deployment patches setting `spec.replicas` to 0. Times are taken around the HTTP exchange itself, after
/// the client's rate limiter.
final class RecordingTransport: Transport {
    let inner: any Transport

    struct Write: Sendable {
        /// `namespace/name` of the Rollout.
        var rollout: String
        var sent: Int64
        var responded: Int64
        var sentWall: Date
    }

    struct Counts: Sendable {
        var byMethod: [String: Int] = [:]
        var failures: [Int: Int] = [:]
        var watches = 0
        var total: Int { byMethod.values.reduce(0, +) }
    }

    private struct State {
        var recording = false
        var counts = Counts()
        /// First successful status patch per `rollout|lastAnalysis.time`.
        var analysisWrites: [String: Write] = [:]
        /// First successful scale-to-0 of each canary Deployment, by Rollout.
        var canaryScaleDowns: [String: Write] = [:]
        /// Status patches with a lastAnalysis seen (including repeats of the same interval).
        var analysisPatches = 0
    }
    private let state = Mutex(State())

    init(_ inner: any Transport) { self.inner = inner }

    func record(_ on: Bool) {
        state.withLock { s in
            s.recording = on
            if on { s.analysisWrites = [:]; s.canaryScaleDowns = [:]; s.analysisPatches = 0 }
        }
    }

    var counts: Counts { state.withLock { $0.counts } }
    var analysisWrites: [String: Write] { state.withLock { $0.analysisWrites } }
    var canaryScaleDowns: [String: Write] { state.withLock { $0.canaryScaleDowns } }
    var analysisPatches: Int { state.withLock { $0.analysisPatches } }

    func send(_ request: Request, timeout: Duration) async throws -> Response {
        let sentWall = Date()
        let sent = Nanos.now()
        let response: Response
        do {
            response = try await inner.send(request, timeout: timeout)
        } catch {
            state.withLock { $0.counts.byMethod[request.method.rawValue, default: 0] += 1; $0.counts.failures[0, default: 0] += 1 }
            throw error
        }
        let responded = Nanos.now()
        let recording = state.withLock { s in
            s.counts.byMethod[request.method.rawValue, default: 0] += 1
            if !response.isSuccess { s.counts.failures[response.status, default: 0] += 1 }
            return s.recording
        }
        guard recording, request.method == .patch, response.isSuccess, let body = request.body else { return response }
        let parts = request.path.split(separator: "/")
        // /apis/fledge.dev/v1alpha1/namespaces/<ns>/rollouts/<name>/status
        if parts.count == 8, parts[5] == "rollouts", parts[7] == "status" {
            guard let json = try? JSONValue(parsing: body),
                  let time = json["status"]?["lastAnalysis"]?["time"]?.stringValue else { return response }
            let rollout = "\(parts[4])/\(parts[6])"
            state.withLock { s in
                s.analysisPatches += 1
                let key = "\(rollout)|\(time)"
                if s.analysisWrites[key] == nil {
                    s.analysisWrites[key] = Write(rollout: rollout, sent: sent, responded: responded, sentWall: sentWall)
                }
            }
        } else if parts.count == 7, parts[5] == "deployments", parts[6].hasSuffix("-canary") {
            // /apis/apps/v1/namespaces/<ns>/deployments/<name>-canary
            guard let json = try? JSONValue(parsing: body), json["spec"]?["replicas"]?.doubleValue == 0 else { return response }
            let rollout = "\(parts[4])/\(parts[6].dropLast("-canary".count))"
            state.withLock { s in
                if s.canaryScaleDowns[rollout] == nil {
                    s.canaryScaleDowns[rollout] = Write(rollout: rollout, sent: sent, responded: responded, sentWall: sentWall)
                }
            }
        }
        return response
    }

    func stream(_ request: Request, timeout: Duration) async throws -> StreamingResponse {
        state.withLock { $0.counts.watches += 1 }
        return try await inner.stream(request, timeout: timeout)
    }
}
