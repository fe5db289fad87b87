import Foundation
import KubeJSON

/// Defaulting the real server's built-in strategies perform, for the fields clients read back.
enum BuiltinDefaults {
    static func apply(to obj: inout JSONValue, type: ResourceType, state: ClusterState) {
        switch (type.group, type.resource) {
        case ("apps", "deployments"):
            setIfMissing(&obj, ["spec", "replicas"], 1)
            setIfMissing(&obj, ["spec", "progressDeadlineSeconds"], 600)
            setIfMissing(&obj, ["spec", "revisionHistoryLimit"], 10)
            setIfMissing(&obj, ["spec", "strategy", "type"], "RollingUpdate")
            if obj[path: ["spec", "strategy", "type"]]?.stringValue == "RollingUpdate" {
                setIfMissing(&obj, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
                setIfMissing(&obj, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            defaultPodSpec(&obj, ["spec", "template", "spec"])
        case ("apps", "replicasets"):
            setIfMissing(&obj, ["spec", "replicas"], 1)
            defaultPodSpec(&obj, ["spec", "template", "spec"])
        case ("", "pods"):
            defaultPodSpec(&obj, ["spec"])
            setIfMissing(&obj, ["status", "phase"], "Pending")
        case ("", "services"):
            setIfMissing(&obj, ["spec", "type"], "ClusterIP")
            setIfMissing(&obj, ["spec", "sessionAffinity"], "None")
            if obj[path: ["spec", "type"]]?.stringValue != "ExternalName" {
                let key = (obj["metadata"]?["namespace"]?.stringValue ?? "") + "/" + (obj["metadata"]?["name"]?.stringValue ?? "")
                let h = key.utf8.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 }
                let ip = "10.96.\(h % 250).\(h / 250 % 253 + 1)"
                setIfMissing(&obj, ["spec", "clusterIP"], .string(ip))
                setIfMissing(&obj, ["spec", "clusterIPs"], [.string(ip)])
            }
            if let ports = obj[path: ["spec", "ports"]]?.arrayValue {
                obj[path: ["spec", "ports"]] = .array(ports.map { p in
                    var p = p
                    if p["protocol"] == nil { p["protocol"] = "TCP" }
                    if p["targetPort"] == nil { p["targetPort"] = p["port"] }
                    return p
                })
            }
        case ("", "namespaces"):
            setIfMissing(&obj, ["spec", "finalizers"], ["kubernetes"])
            setIfMissing(&obj, ["status", "phase"], "Active")
            setIfMissing(&obj, ["metadata", "labels", "kubernetes.io/metadata.name"], obj["metadata"]?["name"] ?? "")
        case ("", "secrets"):
            if (obj["type"]?.stringValue ?? "").isEmpty { obj["type"] = "Opaque" }
            if let stringData = obj["stringData"]?.objectValue {
                for (k, v) in stringData {
                    obj[path: ["data", k]] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString())
                }
                obj["stringData"] = nil
            }
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            if let kind = obj[path: ["spec", "names", "kind"]]?.stringValue {
                setIfMissing(&obj, ["spec", "names", "singular"], .string(kind.lowercased()))
                setIfMissing(&obj, ["spec", "names", "listKind"], .string(kind + "List"))
            }
            setIfMissing(&obj, ["spec", "conversion", "strategy"], "None")
        default:
            break
        }
    }

    static func defaultPodSpec(_ obj: inout JSONValue, _ path: [String]) {
        guard obj[path: path] != nil else { return }
        setIfMissing(&obj, path + ["restartPolicy"], "Always")
        setIfMissing(&obj, path + ["terminationGracePeriodSeconds"], 30)
        setIfMissing(&obj, path + ["dnsPolicy"], "ClusterFirst")
        setIfMissing(&obj, path + ["schedulerName"], "default-scheduler")
        setIfMissing(&obj, path + ["securityContext"], [:])
        if let containers = obj[path: path + ["containers"]]?.arrayValue {
            obj[path: path + ["containers"]] = .array(containers.map { c in
                var c = c
                if c["imagePullPolicy"] == nil {
                    let image = c["image"]?.stringValue ?? ""
                    c["imagePullPolicy"] = image.hasSuffix(":latest") || !image.contains(":") ? "Always" : "IfNotPresent"
                }
                if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
                if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
                if c["resources"] == nil { c["resources"] = [:] }
                if let ports = c["ports"]?.arrayValue {
                    c["ports"] = .array(ports.map { p in var p = p; if p["protocol"] == nil { p["protocol"] = "TCP" }; return p })
                }
                return c
            })
        }
    }

    /// Only the defaults of list-map key fields (`protocol` of container and Service ports): what server-side apply
    /// needs to match an applied item with its live twin. Other defaults are the live object's, never the applier's.
    static func applyKeyDefaults(to obj: inout JSONValue, type: ResourceType) {
        func withTCP(_ ports: JSONValue?) -> JSONValue? {
            ports?.arrayValue.map { .array($0.map { p in var p = p; if p["protocol"] == nil { p["protocol"] = "TCP" }; return p }) }
        }
        func podSpec(_ path: [String]) {
            for list in ["containers", "initContainers"] {
                guard let containers = obj[path: path + [list]]?.arrayValue else { continue }
                obj[path: path + [list]] = .array(containers.map { c in
                    var c = c
                    if let ports = withTCP(c["ports"]) { c["ports"] = ports }
                    return c
                })
            }
        }
        switch (type.group, type.resource) {
        case ("apps", "deployments"), ("apps", "replicasets"): podSpec(["spec", "template", "spec"])
        case ("", "pods"): podSpec(["spec"])
        case ("", "services"): if let ports = withTCP(obj[path: ["spec", "ports"]]) { obj[path: ["spec", "ports"]] = ports }
        default: break
        }
    }

    static func setIfMissing(_ obj: inout JSONValue, _ path: [String], _ value: JSONValue) {
        if obj[path: path] == nil { obj[path: path] = value }
    }
}

/// Validation rules of built-in kinds beyond their schema.
enum BuiltinValidation {
    static func validate(_ obj: JSONValue, type: ResourceType) -> [FieldError] {
        var errors: [FieldError] = []
        switch (type.group, type.resource) {
        case ("apps", "deployments"), ("apps", "replicasets"):
            if let r = obj[path: ["spec", "replicas"]]?.intValue, r < 0 {
                errors.append(.invalid("spec.replicas", .number(Double(r)), "must be greater than or equal to 0"))
            }
            let labels = (obj[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            if let sel = obj[path: ["spec", "selector"]] {
                if let s = try? LabelSelector(object: sel) {
                    if s.isEmpty {
                        errors.append(.invalid("spec.selector", sel, "empty selector is invalid for deployment"))
                    } else if !s.matches(labels) {
                        errors.append(.invalid("spec.template.metadata.labels", .object(labels.mapValues { .string($0) }),
                                               "`selector` does not match template `labels`"))
                    }
                }
            }
            for (i, c) in (obj[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).enumerated() where c["image"] == nil {
                errors.append(.required("spec.template.spec.containers[\(i)].image"))
            }
        case ("", "pods"):
            for (i, c) in (obj[path: ["spec", "containers"]]?.arrayValue ?? []).enumerated() where c["image"] == nil {
                errors.append(.required("spec.containers[\(i)].image"))
            }
        case ("networking.k8s.io", "ingresses"):
            errors += ingressErrors(obj["spec"] ?? [:])
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            errors += CustomResources.validate(obj)
        default:
            break
        }
        return errors
    }

    /// The real `ValidateIngressSpec` rules the schema cannot express: a rule or a default backend, one backend of
    /// one kind per path, a port by name or by number, absolute paths for `Exact` and `Prefix`.
    static func ingressErrors(_ spec: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let rules = spec["rules"]?.arrayValue ?? []
        if let backend = spec["defaultBackend"] {
            errors += ingressBackendErrors(backend, field: "spec.defaultBackend")
        } else if rules.isEmpty {
            errors.append(.invalid("spec", spec["rules"] ?? .null, "either `defaultBackend` or `rules` must be specified"))
        }
        for (i, rule) in rules.enumerated() {
            for (j, path) in (rule[path: ["http", "paths"]]?.arrayValue ?? []).enumerated() {
                let field = "spec.rules[\(i)].http.paths[\(j)]"
                let type = path["pathType"]?.stringValue
                if type == "Exact" || type == "Prefix", let p = path["path"]?.stringValue, !p.hasPrefix("/") {
                    errors.append(.invalid(field + ".path", .string(p), "must be an absolute path"))
                }
                if let backend = path["backend"] { errors += ingressBackendErrors(backend, field: field + ".backend") }
            }
        }
        return errors
    }

    static func ingressBackendErrors(_ backend: JSONValue, field: String) -> [FieldError] {
        switch (backend["service"], backend["resource"]) {
        case (.some, .some):
            return [.invalid(field, "", "cannot set both resource and service backends")]
        case (nil, nil):
            return [.invalid(field, "", "resource or service backend is required")]
        case (nil, .some):
            return []
        case (.some(let service), nil):
            let name = service[path: ["port", "name"]]?.stringValue ?? ""
            let number = service[path: ["port", "number"]]?.intValue ?? 0
            switch (name.isEmpty, number) {
            case (false, let n) where n != 0:
                return [.invalid(field, "", "cannot set both port name & port number")]
            case (true, 0):
                return [.required(field, "port name or number is required")]
            case (true, let n) where !(1...65535).contains(n):
                return [.invalid(field + ".service.port.number", .number(Double(n)), "must be between 1 and 65535, inclusive")]
            default:
                return []
            }
        }
    }
}
