import Foundation
import KubeJSON

/// A stand-in for the Deployment controller: after a delay, a Deployment's status follows its spec
/// (observedGeneration, replicas, ready/available, conditions Progressing/Available), with a ReplicaSet and
/// Pods that look like the real ones. `emulator.fledge.dev/never-ready: "true"` on the Deployment or its pod
/// template keeps it unavailable, and `spec.progressDeadlineSeconds` then ends in `ProgressDeadlineExceeded`.
actor DeploymentController {
    static let neverReadyAnnotation = "emulator.fledge.dev/never-ready"
    static let deployments = GroupResource(group: "apps", resource: "deployments")
    static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    static let pods = GroupResource(group: "", resource: "pods")

    let store: Store
    let readyDelay: Duration
    let createPods: Bool
    private var pending: [ObjectKey: Task<Void, Never>] = [:]
    /// The pod template each Deployment last became available with: a change that keeps it (a scale) keeps the
    /// pods that are already available, as the real controller does.
    private var settledTemplate: [ObjectKey: String] = [:]

    init(store: Store, readyDelay: Duration, createPods: Bool) {
        self.store = store
        self.readyDelay = readyDelay
        self.createPods = createPods
    }

    func run() async {
        for await message in store.subscribeAll() {
            guard case .event(let shared) = message, shared.event.groupResource == Self.deployments else { continue }
            let e = shared.event
            let meta = e.object["metadata"] ?? [:]
            let key = ObjectKey(namespace: meta["namespace"]?.stringValue ?? "", name: meta["name"]?.stringValue ?? "")
            if e.kind == .deleted {
                pending.removeValue(forKey: key)?.cancel()
                settledTemplate[key] = nil
                continue
            }
            let generation = meta["generation"]?.intValue ?? 0
            let observed = e.object["status"]?["observedGeneration"]?.intValue ?? 0
            let neverReadyChanged = Self.neverReady(e.object) != e.oldObject.map(Self.neverReady)
            if generation != observed || neverReadyChanged {
                schedule(key, generation: generation)
            }
        }
    }

    private func schedule(_ key: ObjectKey, generation: Int) {
        pending.removeValue(forKey: key)?.cancel()
        let store = self.store
        let delay = readyDelay
        let pods = createPods
        let hash = store.withState { s in s.get(Self.deployments, key).map(Self.templateHash) }
        let sameTemplate = hash != nil && hash == settledTemplate[key]
        store.withState { s in Self.progress(&s, key, generation: generation, createPods: pods, sameTemplate: sameTemplate) }
        pending[key] = Task {
            try? await Task.sleep(for: delay)
            if Task.isCancelled { return }
            let deadline: Int? = store.withState { s in Self.settle(&s, key, generation: generation, createPods: pods) }
            guard let deadline else {
                self.settled(key, hash)
                return
            }
            try? await Task.sleep(for: .seconds(deadline) - delay)
            if Task.isCancelled { return }
            store.withState { s in Self.timeOut(&s, key, generation: generation) }
        }
    }

    private func settled(_ key: ObjectKey, _ hash: String?) {
        settledTemplate[key] = hash
    }

    static func neverReady(_ d: JSONValue) -> Bool {
        d["metadata"]?["annotations"]?[neverReadyAnnotation]?.stringValue == "true"
            || d[path: ["spec", "template", "metadata", "annotations", neverReadyAnnotation]]?.stringValue == "true"
    }

    static func condition(_ type: String, _ status: Bool, _ reason: String, _ message: String, previous: JSONValue?) -> JSONValue {
        let now = Timestamps.now()
        let old = previous?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
        let same = old?["status"]?.stringValue == (status ? "True" : "False")
        return ["type": .string(type), "status": status ? "True" : "False", "reason": .string(reason), "message": .string(message),
                "lastUpdateTime": .string(now),
                "lastTransitionTime": same ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now)]
    }

    static func templateHash(_ d: JSONValue) -> String {
        let data = (try? (d[path: ["spec", "template"]] ?? [:]).data(sortedKeys: true)) ?? Data()
        var h: UInt64 = 14695981039346656037
        for b in data { h = (h ^ UInt64(b)) &* 1099511628211 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var s = ""
        for _ in 0..<10 { s.append(alphabet[Int(h % UInt64(alphabet.count))]); h /= UInt64(alphabet.count) }
        return s
    }

    /// Right after a change: the new generation is observed, nothing new is ready yet. When the template is the one
    /// already available (`sameTemplate`: a scale), the pods that are available stay available, and a scale down
    /// is complete at once.
    static func progress(_ s: inout ClusterState, _ key: ObjectKey, generation: Int, createPods: Bool, sameTemplate: Bool = false) {
        guard var d = s.get(deployments, key), d["metadata"]?["generation"]?.intValue == generation else { return }
        let replicas = d[path: ["spec", "replicas"]]?.intValue ?? 1
        let old = d["status"]
        let rsName = "\(key.name)-\(templateHash(d))"
        var status = old ?? [:]
        status["observedGeneration"] = .number(Double(generation))
        status["replicas"] = .number(Double(replicas))
        status["updatedReplicas"] = .number(Double(replicas))
        status["readyReplicas"] = nil
        status["availableReplicas"] = nil
        status["unavailableReplicas"] = .number(Double(replicas))
        if replicas == 0 { status["unavailableReplicas"] = nil }
        status["conditions"] = [
            condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", previous: old),
            condition("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(rsName)\" is progressing.", previous: old),
        ]
        let stillAvailable = sameTemplate ? min(old?["availableReplicas"]?.intValue ?? 0, replicas) : 0
        if stillAvailable > 0 {
            status["readyReplicas"] = .number(Double(stillAvailable))
            status["availableReplicas"] = .number(Double(stillAvailable))
            status["unavailableReplicas"] = replicas > stillAvailable ? .number(Double(replicas - stillAvailable)) : nil
            status["conditions"] = [
                condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", previous: old),
                condition("Progressing", true, stillAvailable == replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                          "ReplicaSet \"\(rsName)\" is progressing.", previous: old),
            ]
        }
        if replicas == 0 {
            status["conditions"] = [
                condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", previous: old),
                condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.", previous: old),
            ]
        }
        d["status"] = status
        if createPods, let revision = reconcilePods(&s, d, ready: false) {
            d[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] = .string(String(revision))
        }
        s.put(deployments, d)
    }

    /// After the ready delay: available (returns nil), or never-ready (returns the progress deadline in seconds).
    static func settle(_ s: inout ClusterState, _ key: ObjectKey, generation: Int, createPods: Bool) -> Int? {
        guard var d = s.get(deployments, key), d["metadata"]?["generation"]?.intValue == generation else { return nil }
        let replicas = d[path: ["spec", "replicas"]]?.intValue ?? 1
        if neverReady(d), replicas > 0 {
            if createPods { reconcilePods(&s, d, ready: false) }
            return d[path: ["spec", "progressDeadlineSeconds"]]?.intValue ?? 600
        }
        let old = d["status"]
        let rsName = "\(key.name)-\(templateHash(d))"
        var status = old ?? [:]
        status["observedGeneration"] = .number(Double(generation))
        for field in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] {
            status[field] = replicas == 0 ? Optional<JSONValue>.none : .number(Double(replicas))
        }
        status["unavailableReplicas"] = nil
        status["conditions"] = [
            condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", previous: old),
            condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.", previous: old),
        ]
        d["status"] = status
        s.put(deployments, d)
        if createPods { reconcilePods(&s, d, ready: true) }
        return nil
    }

    static func timeOut(_ s: inout ClusterState, _ key: ObjectKey, generation: Int) {
        guard var d = s.get(deployments, key), d["metadata"]?["generation"]?.intValue == generation, neverReady(d) else { return }
        let old = d["status"]
        let rsName = "\(key.name)-\(templateHash(d))"
        var status = old ?? [:]
        status["conditions"] = [
            condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", previous: old),
            condition("Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.", previous: old),
        ]
        d["status"] = status
        s.put(deployments, d)
    }

    /// A core Event about the Deployment, as the real controller records (`kubectl describe` shows them).
    static func recordEvent(_ s: inout ClusterState, deployment d: JSONValue, reason: String, message: String) {
        let meta = d["metadata"] ?? [:]
        let ns = meta["namespace"]?.stringValue ?? ""
        let now = Timestamps.now()
        let name = "\(meta["name"]?.stringValue ?? "").\(Names.randomSuffix(10))"
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(ns), "uid": .string(UUID().uuidString.lowercased()),
                         "creationTimestamp": .string(now)],
            "involvedObject": ["apiVersion": "apps/v1", "kind": "Deployment", "name": meta["name"] ?? "", "namespace": .string(ns),
                               "uid": meta["uid"] ?? "", "resourceVersion": meta["resourceVersion"] ?? ""],
            "reason": .string(reason), "message": .string(message), "type": "Normal", "count": 1,
            "source": ["component": "deployment-controller"], "firstTimestamp": .string(now), "lastTimestamp": .string(now),
            "reportingComponent": "deployment-controller", "reportingInstance": "",
        ]
        s.put(GroupResource(group: "", resource: "events"), event)
    }

    /// One ReplicaSet per template (older ones scaled to zero) and its Pods, Ready when `ready`.
    /// Returns the current ReplicaSet's revision.
    @discardableResult
    static func reconcilePods(_ s: inout ClusterState, _ d: JSONValue, ready: Bool) -> Int? {
        let meta = d["metadata"] ?? [:]
        let ns = meta["namespace"]?.stringValue ?? ""
        let hash = templateHash(d)
        let rsName = "\(meta["name"]?.stringValue ?? "")-\(hash)"
        let replicas = d[path: ["spec", "replicas"]]?.intValue ?? 1
        let uid = meta["uid"]?.stringValue ?? ""
        var template = d[path: ["spec", "template"]] ?? [:]
        template[path: ["metadata", "labels", "pod-template-hash"]] = .string(hash)
        func owner(_ kind: String, _ name: String, _ uid: String, _ apiVersion: String) -> JSONValue {
            ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
             "controller": true, "blockOwnerDeletion": true]
        }
        // ReplicaSets.
        var rsUID = ""
        var maxRevision = 0
        for rs in s.list(replicaSets, namespace: ns) where (rs["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) {
            maxRevision = max(maxRevision, Int(rs[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue ?? "") ?? 0)
        }
        for rs in s.list(replicaSets, namespace: ns) where (rs["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) {
            let name = rs["metadata"]?["name"]?.stringValue ?? ""
            if name == rsName { rsUID = rs["metadata"]?["uid"]?.stringValue ?? ""; continue }
            for pod in s.list(pods, namespace: ns) where (pod["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains(where: { $0["uid"] == rs["metadata"]?["uid"] }) {
                s.remove(pods, ObjectKey(namespace: ns, name: pod["metadata"]?["name"]?.stringValue ?? ""))
            }
            if let before = rs[path: ["spec", "replicas"]]?.intValue, before != 0 {
                recordEvent(&s, deployment: d, reason: "ScalingReplicaSet", message: "Scaled down replica set \(name) from \(before) to 0")
                var r = rs
                r[path: ["spec", "replicas"]] = 0
                r["status"] = ["replicas": 0, "observedGeneration": r["metadata"]?["generation"] ?? 1]
                s.put(replicaSets, r)
            }
        }
        var rs: JSONValue = s.get(replicaSets, ObjectKey(namespace: ns, name: rsName)) ?? [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string(rsName), "namespace": .string(ns), "uid": .string(UUID().uuidString.lowercased()),
                         "creationTimestamp": .string(Timestamps.now()), "generation": 1,
                         "labels": template["metadata"]?["labels"] ?? [:],
                         "annotations": ["deployment.kubernetes.io/revision": .string(String(maxRevision + 1))],
                         "ownerReferences": [owner("Deployment", meta["name"]?.stringValue ?? "", uid, "apps/v1")]],
            "spec": ["replicas": 0, "selector": d[path: ["spec", "selector"]] ?? [:], "template": template],
        ]
        if rsUID.isEmpty { rsUID = rs["metadata"]?["uid"]?.stringValue ?? "" }
        // A template used again (a rollback) becomes the newest revision, as with the real controller.
        if let current = Int(rs[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue ?? ""),
           current < maxRevision, rs[path: ["spec", "replicas"]]?.intValue == 0 {
            rs[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] = .string(String(maxRevision + 1))
        }
        let revision = Int(rs[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue ?? "")
        let previousReplicas = rs[path: ["spec", "replicas"]]?.intValue ?? 0
        if previousReplicas != replicas {
            recordEvent(&s, deployment: d, reason: "ScalingReplicaSet",
                        message: "Scaled \(replicas > previousReplicas ? "up" : "down") replica set \(rsName) from \(previousReplicas) to \(replicas)")
        }
        rs[path: ["spec", "replicas"]] = .number(Double(replicas))
        rs["status"] = ["replicas": .number(Double(replicas)), "fullyLabeledReplicas": .number(Double(replicas)),
                        "readyReplicas": .number(Double(ready ? replicas : 0)), "availableReplicas": .number(Double(ready ? replicas : 0)),
                        "observedGeneration": rs["metadata"]?["generation"] ?? 1]
        if s.get(replicaSets, ObjectKey(namespace: ns, name: rsName)) != rs { s.put(replicaSets, rs) }
        // Pods.
        var mine = s.list(pods, namespace: ns).filter { ($0["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == rsUID } }
        while mine.count > replicas {
            let p = mine.removeLast()
            s.remove(pods, ObjectKey(namespace: ns, name: p["metadata"]?["name"]?.stringValue ?? ""))
        }
        while mine.count < replicas {
            let name = "\(rsName)-\(Names.randomSuffix(5))"
            var spec = template["spec"] ?? [:]
            spec["nodeName"] = "emulator-node"
            let pod: JSONValue = [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": .string(name), "namespace": .string(ns), "uid": .string(UUID().uuidString.lowercased()),
                             "creationTimestamp": .string(Timestamps.now()), "generation": 1,
                             "labels": template["metadata"]?["labels"] ?? [:],
                             "annotations": template["metadata"]?["annotations"] ?? [:],
                             "ownerReferences": [owner("ReplicaSet", rsName, rsUID, "apps/v1")]],
                "spec": spec,
                "status": [:],
            ]
            mine.append(pod)
        }
        for var p in mine {
            let containers = p[path: ["spec", "containers"]]?.arrayValue ?? []
            let now = Timestamps.now()
            var status: JSONValue = [
                "phase": "Running", "hostIP": "10.0.0.1", "podIP": .string("10.244.0.\(abs(p["metadata"]?["name"]?.stringValue?.hashValue ?? 7) % 250 + 2)"),
                "startTime": p["status"]?["startTime"] ?? .string(now), "qosClass": "BestEffort",
                "conditions": [
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(now)],
                    ["type": "Initialized", "status": "True", "lastTransitionTime": .string(now)],
                    ["type": "ContainersReady", "status": ready ? "True" : "False", "lastTransitionTime": .string(now)],
                    ["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": .string(now)],
                ],
            ]
            status["containerStatuses"] = .array(containers.map { c in
                ["name": c["name"] ?? "", "image": c["image"] ?? "", "imageID": "", "ready": .bool(ready), "restartCount": 0,
                 "started": true, "state": ["running": ["startedAt": .string(now)]]]
            })
            let oldReady = p["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"]?.stringValue
            if oldReady == (ready ? "True" : "False") { continue }
            // A change in progress makes only new pods unready; pods already ready stay ready.
            if !ready, oldReady != nil { continue }
            p["status"] = status
            s.put(pods, p)
        }
        return revision
    }
}
