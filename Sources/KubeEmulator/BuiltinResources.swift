import KubeJSON

/// The built-in resources the emulator serves: one row per resource, no special cases in code.
public enum BuiltinResources {
    public static let all: [ResourceType] = rows.map { t in
        var t = t
        if t.columns?.contains(where: { $0.name == "Created At" || $0.name == "Last Seen" }) == true { t.printsAge = false }
        if t.group.isEmpty, ["pods", "services", "namespaces"].contains(t.resource) { t.returnsDeletedObject = true }
        if t.group == "events.k8s.io" { t.storedAs = GroupResource(group: "", resource: "events") }
        if t.verbs == ["create"] { t.isReview = true }
        return t
    }

    /// `kubectl get events`: Last Seen, Type, Reason, Object, Message (Name only with -o wide).
    static func eventColumns(message: String) -> [PrinterColumn] {
        [PrinterColumn(name: "Last Seen", type: "string", jsonPath: "#eventLastSeen"),
         PrinterColumn(name: "Type", type: "string", jsonPath: ".type"),
         PrinterColumn(name: "Reason", type: "string", jsonPath: ".reason"),
         PrinterColumn(name: "Object", type: "string", jsonPath: "#eventObject"),
         PrinterColumn(name: "Message", type: "string", jsonPath: message),
         PrinterColumn(name: "Name", type: "string", priority: 1, jsonPath: "#name")]
    }

    /// `kubectl get ingress`: Class, Hosts, Address, Ports (the real server's descriptions).
    static let ingressColumns: [PrinterColumn] = [
        PrinterColumn(name: "Class", type: "string",
                      description: "The name of the IngressClass resource that should be used for additional configuration",
                      jsonPath: ".spec.ingressClassName"),
        PrinterColumn(name: "Hosts", type: "string",
                      description: "Hosts that incoming requests are matched against before the ingress rule", jsonPath: "#ingressHosts"),
        PrinterColumn(name: "Address", type: "string",
                      description: "Address is a list containing ingress points for the load-balancer", jsonPath: "#ingressAddress"),
        PrinterColumn(name: "Ports", type: "string", description: "Ports of TLS configurations that open", jsonPath: "#ingressPorts"),
    ]

    static let rows: [ResourceType] = [
        ResourceType(group: "", versions: ["v1"], resource: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false,
                     shortNames: ["ns"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], hasStatus: true,
                     columns: [PrinterColumn(name: "Status", type: "string", jsonPath: ".status.phase")],
                     schemas: ["v1": BuiltinSchemas.namespace]),
        ResourceType(group: "", versions: ["v1"], resource: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true,
                     shortNames: ["cm"], columns: [PrinterColumn(name: "Data", type: "integer", jsonPath: "#count(.data)")],
                     schemas: ["v1": BuiltinSchemas.configMap]),
        ResourceType(group: "", versions: ["v1"], resource: "secrets", singular: "secret", kind: "Secret", namespaced: true,
                     columns: [PrinterColumn(name: "Type", type: "string", jsonPath: ".type"),
                               PrinterColumn(name: "Data", type: "integer", jsonPath: "#count(.data)")],
                     schemas: ["v1": BuiltinSchemas.secret]),
        ResourceType(group: "", versions: ["v1"], resource: "services", singular: "service", kind: "Service", namespaced: true,
                     shortNames: ["svc"], categories: ["all"],
                     verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], hasStatus: true,
                     columns: [PrinterColumn(name: "Type", type: "string", jsonPath: ".spec.type"),
                               PrinterColumn(name: "Cluster-IP", type: "string", jsonPath: ".spec.clusterIP"),
                               PrinterColumn(name: "External-IP", type: "string", jsonPath: "#svcExternal"),
                               PrinterColumn(name: "Port(s)", type: "string", jsonPath: "#svcPorts")],
                     schemas: ["v1": BuiltinSchemas.service]),
        ResourceType(group: "", versions: ["v1"], resource: "pods", singular: "pod", kind: "Pod", namespaced: true,
                     shortNames: ["po"], categories: ["all"], hasStatus: true, tracksGeneration: true,
                     columns: [PrinterColumn(name: "Ready", type: "string", jsonPath: "#podReady"),
                               PrinterColumn(name: "Status", type: "string", jsonPath: ".status.phase"),
                               PrinterColumn(name: "Restarts", type: "string", jsonPath: "#podRestarts")],
                     schemas: ["v1": BuiltinSchemas.pod]),
        ResourceType(group: "", versions: ["v1"], resource: "events", singular: "event", kind: "Event", namespaced: true,
                     shortNames: ["ev"],
                     columns: eventColumns(message: ".message"),
                     schemas: ["v1": BuiltinSchemas.coreEvent]),
        ResourceType(group: "", versions: ["v1"], resource: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
                     namespaced: true, shortNames: ["sa"], schemas: ["v1": BuiltinSchemas.serviceAccount]),
        ResourceType(group: "events.k8s.io", versions: ["v1"], resource: "events", singular: "event", kind: "Event", namespaced: true,
                     columns: eventColumns(message: ".note"), schemas: ["v1": BuiltinSchemas.eventsEvent]),
        ResourceType(group: "apps", versions: ["v1"], resource: "deployments", singular: "deployment", kind: "Deployment", namespaced: true,
                     shortNames: ["deploy"], categories: ["all"], hasStatus: true,
                     scale: ScaleSpec(labelSelectorPath: ".spec.selector"), tracksGeneration: true,
                     columns: [PrinterColumn(name: "Ready", type: "string", jsonPath: "#deployReady"),
                               PrinterColumn(name: "Up-to-date", type: "integer", jsonPath: ".status.updatedReplicas|0"),
                               PrinterColumn(name: "Available", type: "integer", jsonPath: ".status.availableReplicas|0")],
                     schemas: ["v1": BuiltinSchemas.deployment]),
        ResourceType(group: "apps", versions: ["v1"], resource: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true,
                     shortNames: ["rs"], categories: ["all"], hasStatus: true,
                     scale: ScaleSpec(labelSelectorPath: ".spec.selector"), tracksGeneration: true,
                     columns: [PrinterColumn(name: "Desired", type: "integer", jsonPath: ".spec.replicas|0"),
                               PrinterColumn(name: "Current", type: "integer", jsonPath: ".status.replicas|0"),
                               PrinterColumn(name: "Ready", type: "integer", jsonPath: ".status.readyReplicas|0")],
                     schemas: ["v1": BuiltinSchemas.replicaSet]),
        ResourceType(group: "networking.k8s.io", versions: ["v1"], resource: "ingresses", singular: "ingress", kind: "Ingress",
                     namespaced: true, shortNames: ["ing"], hasStatus: true, tracksGeneration: true,
                     columns: ingressColumns, schemas: ["v1": BuiltinSchemas.ingress]),
        ResourceType(group: "coordination.k8s.io", versions: ["v1"], resource: "leases", singular: "lease", kind: "Lease", namespaced: true,
                     columns: [PrinterColumn(name: "Holder", type: "string", jsonPath: ".spec.holderIdentity")],
                     schemas: ["v1": BuiltinSchemas.lease]),
        ResourceType(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "clusterroles", singular: "clusterrole",
                     kind: "ClusterRole", namespaced: false, schemas: ["v1": BuiltinSchemas.clusterRole]),
        ResourceType(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "clusterrolebindings", singular: "clusterrolebinding",
                     kind: "ClusterRoleBinding", namespaced: false, schemas: ["v1": BuiltinSchemas.roleBinding]),
        ResourceType(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "roles", singular: "role",
                     kind: "Role", namespaced: true, schemas: ["v1": BuiltinSchemas.role]),
        ResourceType(group: "rbac.authorization.k8s.io", versions: ["v1"], resource: "rolebindings", singular: "rolebinding",
                     kind: "RoleBinding", namespaced: true, schemas: ["v1": BuiltinSchemas.roleBinding]),
        ResourceType(group: "authorization.k8s.io", versions: ["v1"], resource: "selfsubjectaccessreviews", singular: "selfsubjectaccessreview",
                     kind: "SelfSubjectAccessReview", namespaced: false, verbs: ["create"], strategicMerge: false,
                     schemas: ["v1": BuiltinSchemas.topLevel(["spec": BuiltinSchemas.anyObject, "status": BuiltinSchemas.anyObject])]),
        ResourceType(group: "authentication.k8s.io", versions: ["v1"], resource: "selfsubjectreviews", singular: "selfsubjectreview",
                     kind: "SelfSubjectReview", namespaced: false, verbs: ["create"], strategicMerge: false,
                     schemas: ["v1": BuiltinSchemas.topLevel(["status": BuiltinSchemas.anyObject])]),
        ResourceType(group: "apiextensions.k8s.io", versions: ["v1"], resource: "customresourcedefinitions", singular: "customresourcedefinition",
                     kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"],
                     hasStatus: true, tracksGeneration: true,
                     columns: [PrinterColumn(name: "Created At", type: "date", jsonPath: ".metadata.creationTimestamp")],
                     schemas: ["v1": BuiltinSchemas.customResourceDefinition]),
    ]
}
