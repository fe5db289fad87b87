import Logging
import Synchronization

/// All simulated pods, shared by the polling loop, the ticker and the HTTP handlers.
///
/// Each *service* (the pods' Kubernetes namespace and `service.name`) receives ``totalRate`` requests per
/// second, split evenly over its serving pods, as a Kubernetes Service splits traffic by replica count. Time
/// advances in steps (``advance(to:)`` with the clock, or ``advance(bySeconds:)``); a change to the set of pods
/// applies from the moment it is seen, the time before it is served by the previous set.
public final class SimulationState: Sendable {
    /// Requests per second per service.
    public let totalRate: Double
    public let seed: UInt64
    private let logger: Logger
    private let inner: Mutex<Inner>

    private struct Inner {
        var pods: [String: PodSimulator] = [:]  // by UID
        var lastAdvance: ContinuousClock.Instant?
        var reported: Set<String> = []  // UIDs whose problems were logged
    }

    public init(totalRate: Double, seed: UInt64, logger: Logger = Logger(label: "fledge.workload")) {
        self.totalRate = totalRate
        self.seed = seed
        self.logger = logger
        inner = Mutex(Inner())
    }

    /// Replaces the set of pods with `pods` (as listed now): new pods start from zero, known ones keep their
    /// counters, missing ones disappear with their series. Time up to `instant` is served first.
    public func update(pods: [PodDescription], at instant: ContinuousClock.Instant? = nil) {
        if let instant { advance(to: instant) }
        var messages: [(Logger.Level, Logger.Message, Logger.Metadata)] = []
        inner.withLock { state in
            var next: [String: PodSimulator] = [:]
            for pod in pods {
                if var existing = state.pods[pod.uid] {
                    existing.update(pod)
                    next[pod.uid] = existing
                } else {
                    next[pod.uid] = PodSimulator(description: pod, seed: seed)
                }
                if !state.reported.contains(pod.uid) {
                    state.reported.insert(pod.uid)
                    let metadata: Logger.Metadata = ["pod": "\(pod.namespace)/\(pod.name)", "service": "\(pod.serviceName)"]
                    if pod.deploymentTrack == nil {
                        messages.append((.warning, "pod has no deployment.track in OTEL_RESOURCE_ATTRIBUTES; its metrics carry no deployment_track label", metadata))
                    }
                    for problem in pod.problems { messages.append((.warning, "\(problem)", metadata)) }
                }
            }
            state.reported.formIntersection(next.keys)
            state.pods = next
        }
        for (level, message, metadata) in messages { logger.log(level: level, message, metadata: metadata) }
    }

    /// Advances simulated time to `instant` (the first call only sets the starting point).
    public func advance(to instant: ContinuousClock.Instant) {
        inner.withLock { state in
            defer { state.lastAdvance = instant }
            guard let last = state.lastAdvance, instant > last else { return }
            let elapsed = last.duration(to: instant)
            Self.advance(&state, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                         totalRate: totalRate)
        }
    }

    /// Advances simulated time by `seconds` (for tests and replays; independent of the clock).
    public func advance(bySeconds seconds: Double) {
        inner.withLock { Self.advance(&$0, seconds: seconds, totalRate: totalRate) }
    }

    private static func advance(_ state: inout Inner, seconds: Double, totalRate: Double) {
        var serving: [ServiceKey: Int] = [:]
        for pod in state.pods.values where pod.description.serving { serving[ServiceKey(pod.description), default: 0] += 1 }
        // Sorted, so that the result does not depend on dictionary order.
        for uid in state.pods.keys.sorted() {
            let pod = state.pods[uid]!.description
            let rate = pod.serving ? totalRate / Double(serving[ServiceKey(pod)] ?? 1) : 0
            state.pods[uid]!.advance(rate: rate, seconds: seconds)
        }
    }

    /// The pods, sorted by namespace and name.
    public func pods() -> [PodSimulator] {
        inner.withLock { state in
            state.pods.values.sorted { ($0.description.namespace, $0.description.name, $0.description.uid)
                < ($1.description.namespace, $1.description.name, $1.description.uid) }
        }
    }

    /// Pods that share a traffic split.
    private struct ServiceKey: Hashable {
        var namespace: String
        var service: String
        init(_ pod: PodDescription) {
            namespace = pod.namespace
            service = pod.serviceName
        }
    }
}
