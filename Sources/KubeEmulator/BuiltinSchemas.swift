import KubeJSON

/// Compact, hand-written OpenAPI v3 schemas for the built-in kinds the emulator serves.
///
/// They model the fields Fledge and its tests use exactly (types, patch merge keys), and mark the rest
/// `x-kubernetes-preserve-unknown-fields` so that valid objects are never rejected.
public enum BuiltinSchemas {
    // MARK: Builders

    static func obj(_ properties: [String: JSONValue], required: [String] = [], description: String = "") -> JSONValue {
        var s: JSONValue = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { s["required"] = .array(required.map { .string($0) }) }
        if !description.isEmpty { s["description"] = .string(description) }
        return s
    }
    public static let str: JSONValue = ["type": "string"]
    static let int: JSONValue = ["type": "integer", "format": "int32"]
    static let int64: JSONValue = ["type": "integer", "format": "int64"]
    static let bool: JSONValue = ["type": "boolean"]
    static let intOrString: JSONValue = ["x-kubernetes-int-or-string": true]
    static let time: JSONValue = ["type": "string", "format": "date-time"]
    /// Any object: kept as is.
    public static let anyObject: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    static func arr(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func map(_ values: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": values] }
    /// A list merged by `key` in strategic merge patches.
    static func keyedList(_ items: JSONValue, key: String, strategy: String = "merge", listKeys: [String]? = nil) -> JSONValue {
        var s = arr(items)
        s["x-kubernetes-patch-merge-key"] = .string(key)
        s["x-kubernetes-patch-strategy"] = .string(strategy)
        s["x-kubernetes-list-type"] = "map"
        s["x-kubernetes-list-map-keys"] = .array((listKeys ?? [key]).map { .string($0) })
        return s
    }

    // MARK: Shared parts

    static let ownerReference = obj([
        "apiVersion": str, "kind": str, "name": str, "uid": str, "controller": bool, "blockOwnerDeletion": bool,
    ], required: ["apiVersion", "kind", "name", "uid"])

    static let managedFieldsEntry = obj([
        "manager": str, "operation": str, "apiVersion": str, "time": time, "fieldsType": str,
        "fieldsV1": anyObject, "subresource": str,
    ])

    /// `ObjectMeta`.
    public static let objectMeta = obj([
        "name": str, "generateName": str, "namespace": str, "selfLink": str, "uid": str, "resourceVersion": str,
        "generation": int64, "creationTimestamp": time, "deletionTimestamp": time, "deletionGracePeriodSeconds": int64,
        "labels": map(str), "annotations": map(str),
        "ownerReferences": keyedList(ownerReference, key: "uid"),
        "finalizers": ["type": "array", "items": str, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set"],
        "managedFields": arr(managedFieldsEntry),
    ])

    public static func topLevel(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var p = properties
        p["apiVersion"] = str
        p["kind"] = str
        p["metadata"] = objectMeta
        return obj(p, required: required)
    }

    static let labelSelector = obj([
        "matchLabels": map(str),
        "matchExpressions": arr(obj(["key": str, "operator": str, "values": arr(str)], required: ["key", "operator"])),
    ])

    static let envVar = obj(["name": str, "value": str, "valueFrom": anyObject], required: ["name"])
    static let containerPort = obj(["name": str, "containerPort": int, "protocol": str, "hostPort": int, "hostIP": str],
                                   required: ["containerPort"])
    static let probe = anyObject
    static let container = obj([
        "name": str, "image": str, "command": arr(str), "args": arr(str), "workingDir": str,
        "ports": keyedList(containerPort, key: "containerPort", listKeys: ["containerPort", "protocol"]),
        "env": keyedList(envVar, key: "name"),
        "envFrom": arr(anyObject),
        "resources": anyObject,
        "volumeMounts": keyedList(obj(["name": str, "mountPath": str, "readOnly": bool, "subPath": str], required: ["name", "mountPath"]),
                                  key: "mountPath"),
        "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe, "lifecycle": anyObject,
        "imagePullPolicy": str, "securityContext": anyObject, "terminationMessagePath": str, "terminationMessagePolicy": str,
        "stdin": bool, "tty": bool, "restartPolicy": str, "resizePolicy": arr(anyObject), "volumeDevices": arr(anyObject),
        "stdinOnce": bool,
    ], required: ["name"])

    static let podSpec = obj([
        "containers": keyedList(container, key: "name"),
        "initContainers": keyedList(container, key: "name"),
        "ephemeralContainers": keyedList(anyObject, key: "name"),
        "volumes": keyedList(["type": "object", "properties": ["name": str], "required": ["name"],
                              "x-kubernetes-preserve-unknown-fields": true], key: "name", strategy: "merge,retainKeys"),
        "imagePullSecrets": keyedList(obj(["name": str]), key: "name"),
        "restartPolicy": str, "terminationGracePeriodSeconds": int64, "activeDeadlineSeconds": int64, "dnsPolicy": str,
        "nodeSelector": map(str), "serviceAccountName": str, "serviceAccount": str, "automountServiceAccountToken": bool,
        "nodeName": str, "hostNetwork": bool, "hostPID": bool, "hostIPC": bool, "shareProcessNamespace": bool,
        "securityContext": anyObject, "hostname": str, "subdomain": str, "affinity": anyObject, "schedulerName": str,
        "tolerations": arr(anyObject), "hostAliases": arr(anyObject), "priorityClassName": str, "priority": int,
        "dnsConfig": anyObject, "readinessGates": arr(anyObject), "runtimeClassName": str, "enableServiceLinks": bool,
        "preemptionPolicy": str, "overhead": anyObject, "topologySpreadConstraints": arr(anyObject), "setHostnameAsFQDN": bool,
        "os": anyObject, "hostUsers": bool, "schedulingGates": arr(anyObject), "resourceClaims": arr(anyObject),
        "resources": anyObject,
    ], required: ["containers"])

    static let podTemplate = obj(["metadata": objectMeta, "spec": podSpec])

    static let condition = obj([
        "type": str, "status": str, "reason": str, "message": str, "lastTransitionTime": time, "lastUpdateTime": time,
        "lastProbeTime": time, "lastHeartbeatTime": time, "observedGeneration": int64,
    ], required: ["type", "status"])
    static let conditions = keyedList(condition, key: "type")

    // MARK: Kinds

    public static let namespace = topLevel([
        "spec": obj(["finalizers": arr(str)]),
        "status": obj(["phase": str, "conditions": arr(anyObject)]),
    ])

    public static let configMap = topLevel([
        "data": map(str), "binaryData": map(["type": "string", "format": "byte"]), "immutable": bool,
    ])

    public static let secret = topLevel([
        "data": map(["type": "string", "format": "byte"]), "stringData": map(str), "type": str, "immutable": bool,
    ])

    public static let service = topLevel([
        "spec": obj([
            "ports": keyedList(obj(["name": str, "protocol": str, "port": int, "targetPort": intOrString, "nodePort": int,
                                    "appProtocol": str], required: ["port"]),
                               key: "port", listKeys: ["port", "protocol"]),
            "selector": map(str), "clusterIP": str, "clusterIPs": arr(str), "type": str, "externalIPs": arr(str),
            "sessionAffinity": str, "loadBalancerIP": str, "loadBalancerSourceRanges": arr(str), "externalName": str,
            "externalTrafficPolicy": str, "healthCheckNodePort": int, "publishNotReadyAddresses": bool,
            "sessionAffinityConfig": anyObject, "ipFamilies": arr(str), "ipFamilyPolicy": str,
            "allocateLoadBalancerNodePorts": bool, "loadBalancerClass": str, "internalTrafficPolicy": str,
            "trafficDistribution": str,
        ]),
        "status": anyObject,
    ])

    public static let pod = topLevel([
        "spec": podSpec,
        "status": obj([
            "phase": str, "conditions": conditions, "message": str, "reason": str, "hostIP": str, "podIP": str,
            "podIPs": arr(anyObject), "hostIPs": arr(anyObject), "startTime": time, "qosClass": str,
            "containerStatuses": arr(anyObject), "initContainerStatuses": arr(anyObject),
            "ephemeralContainerStatuses": arr(anyObject), "nominatedNodeName": str, "observedGeneration": int64,
            "resize": str, "resourceClaimStatuses": arr(anyObject),
        ]),
    ])

    static let objectReference = obj([
        "kind": str, "namespace": str, "name": str, "uid": str, "apiVersion": str, "resourceVersion": str, "fieldPath": str,
    ])

    public static let coreEvent = topLevel([
        "involvedObject": objectReference, "reason": str, "message": str, "source": obj(["component": str, "host": str]),
        "firstTimestamp": time, "lastTimestamp": time, "count": int, "type": str, "eventTime": ["type": "string", "format": "date-time"],
        "series": anyObject, "action": str, "related": objectReference, "reportingComponent": str, "reportingInstance": str,
    ], required: ["metadata", "involvedObject"])

    public static let eventsEvent = topLevel([
        "eventTime": ["type": "string", "format": "date-time"], "series": anyObject, "reportingController": str,
        "reportingInstance": str, "action": str, "reason": str, "regarding": objectReference, "related": objectReference,
        "note": str, "type": str, "deprecatedSource": anyObject, "deprecatedFirstTimestamp": time,
        "deprecatedLastTimestamp": time, "deprecatedCount": int,
    ], required: ["eventTime"])

    public static let serviceAccount = topLevel([
        "secrets": arr(objectReference), "imagePullSecrets": arr(obj(["name": str])), "automountServiceAccountToken": bool,
    ])

    static let deploymentStatus = obj([
        "observedGeneration": int64, "replicas": int, "updatedReplicas": int, "readyReplicas": int, "availableReplicas": int,
        "unavailableReplicas": int, "terminatingReplicas": int, "conditions": conditions, "collisionCount": int,
    ])

    public static let deployment = topLevel([
        "spec": obj([
            "replicas": int, "selector": labelSelector, "template": podTemplate,
            "strategy": obj(["type": str, "rollingUpdate": obj(["maxUnavailable": intOrString, "maxSurge": intOrString])]),
            "minReadySeconds": int, "revisionHistoryLimit": int, "paused": bool, "progressDeadlineSeconds": int,
        ], required: ["selector", "template"]),
        "status": deploymentStatus,
    ])

    public static let replicaSet = topLevel([
        "spec": obj(["replicas": int, "minReadySeconds": int, "selector": labelSelector, "template": podTemplate],
                    required: ["selector"]),
        "status": obj([
            "replicas": int, "fullyLabeledReplicas": int, "readyReplicas": int, "availableReplicas": int,
            "terminatingReplicas": int, "observedGeneration": int64, "conditions": conditions,
        ]),
    ])

    public static let lease = topLevel([
        "spec": obj([
            "holderIdentity": str, "leaseDurationSeconds": int, "acquireTime": ["type": "string", "format": "date-time"],
            "renewTime": ["type": "string", "format": "date-time"], "leaseTransitions": int, "strategy": str,
            "preferredHolder": str,
        ]),
    ])

    /// A list replaced as a whole by patches and apply (`x-kubernetes-list-type: atomic`), as Ingress lists are.
    static func atomicList(_ items: JSONValue) -> JSONValue {
        var s = arr(items)
        s["x-kubernetes-list-type"] = "atomic"
        return s
    }

    static let ingressBackend = obj([
        "service": obj([
            "name": str,
            "port": ["type": "object", "properties": ["name": str, "number": int], "x-kubernetes-map-type": "atomic"],
        ], required: ["name"]),
        "resource": obj(["apiGroup": str, "kind": str, "name": str], required: ["kind", "name"]),
    ])

    static let httpIngressPath = obj([
        "path": str,
        "pathType": ["type": "string", "enum": ["Exact", "ImplementationSpecific", "Prefix"]],
        "backend": ingressBackend,
    ], required: ["pathType", "backend"])

    public static let ingress = topLevel([
        "spec": obj([
            "ingressClassName": str,
            "defaultBackend": ingressBackend,
            "tls": atomicList(obj(["hosts": atomicList(str), "secretName": str])),
            "rules": atomicList(obj([
                "host": str,
                "http": obj(["paths": atomicList(httpIngressPath)], required: ["paths"]),
            ])),
        ]),
        "status": obj([
            "loadBalancer": obj([
                "ingress": atomicList(obj([
                    "ip": str, "hostname": str,
                    "ports": atomicList(obj(["port": int, "protocol": str, "error": str], required: ["port", "protocol"])),
                ])),
            ]),
        ]),
    ])

    static let policyRule = obj([
        "verbs": arr(str), "apiGroups": arr(str), "resources": arr(str), "resourceNames": arr(str), "nonResourceURLs": arr(str),
    ], required: ["verbs"])

    public static let role = topLevel(["rules": arr(policyRule)])
    public static let clusterRole = topLevel(["rules": arr(policyRule), "aggregationRule": anyObject])
    public static let roleBinding = topLevel([
        "subjects": arr(obj(["kind": str, "apiGroup": str, "name": str, "namespace": str], required: ["kind", "name"])),
        "roleRef": obj(["apiGroup": str, "kind": str, "name": str], required: ["apiGroup", "kind", "name"]),
    ], required: ["roleRef"])

    public static let customResourceDefinition = topLevel([
        "spec": obj([
            "group": str,
            "names": obj(["plural": str, "singular": str, "shortNames": arr(str), "kind": str, "listKind": str,
                          "categories": arr(str)], required: ["plural", "kind"]),
            "scope": str,
            "versions": arr(anyObject),
            "conversion": anyObject,
            "preserveUnknownFields": bool,
        ], required: ["group", "names", "scope", "versions"]),
        "status": anyObject,
    ], required: ["spec"])
}
