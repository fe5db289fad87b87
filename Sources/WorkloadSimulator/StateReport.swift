/// The JSON of `GET /state`: every pod the simulator knows, with its identity as the app reports it, whether it
/// serves traffic, its current request rate and its request and error totals.
public struct StateReport: Codable, Sendable, Equatable {
    /// One pod.
    public struct PodState: Codable, Sendable, Equatable {
        public var name: String
        public var namespace: String
        public var uid: String
        public var service: String
        public var serviceNamespace: String
        public var version: String?
        public var track: String?
        /// Serving traffic: Ready and not being deleted.
        public var ready: Bool
        /// Requests per second it receives now.
        public var rate: Double
        public var requests: Int
        public var errors: Int
    }

    /// Requests per second each service receives in total.
    public var ratePerService: Double
    public var seed: UInt64
    public var pods: [PodState]

    public init(ratePerService: Double, seed: UInt64, pods: [PodSimulator]) {
        self.ratePerService = ratePerService
        self.seed = seed
        self.pods = pods.map { pod in
            let d = pod.description
            return PodState(name: d.name, namespace: d.namespace, uid: d.uid, service: d.serviceName,
                            serviceNamespace: d.serviceNamespace, version: d.serviceVersion, track: d.deploymentTrack,
                            ready: d.serving, rate: pod.rate, requests: pod.requests, errors: pod.errors)
        }
    }
}
