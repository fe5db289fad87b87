import Foundation
import KubeJSON

/// Server-side printing: `meta.k8s.io/v1` `Table` for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
enum TablePrinter {
    static let nameColumn: JSONValue = [
        "name": "Name", "type": "string", "format": "name", "priority": 0,
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
    ]

    static func ageColumn(date: Bool) -> JSONValue {
        ["name": "Age", "type": date ? "date" : "string", "format": "", "priority": 0,
         "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"]
    }

    static func columns(for type: ResourceType) -> [PrinterColumn] {
        if type.customColumns, let cols = type.columns { return cols }
        return type.columns ?? []
    }

    static func printsAge(_ type: ResourceType) -> Bool {
        if type.customColumns { return type.columns == nil }
        return type.printsAge
    }

    /// Whether the columns place Name themselves (`#name`), as the events table does.
    static func placesName(_ type: ResourceType) -> Bool { columns(for: type).contains { $0.jsonPath == "#name" } }

    static func columnDefinitions(for type: ResourceType) -> [JSONValue] {
        var defs = placesName(type) ? [] : [nameColumn]
        for c in columns(for: type) {
            if c.jsonPath == "#name" {
                var d = nameColumn
                d["priority"] = .number(Double(c.priority))
                defs.append(d)
                continue
            }
            defs.append(["name": .string(c.name), "type": .string(c.type), "format": .string(c.format),
                         "description": .string(c.description.isEmpty ? "Custom resource definition column (in JSONPath format): \(c.jsonPath ?? "")" : c.description),
                         "priority": .number(Double(c.priority))])
        }
        if printsAge(type) { defs.append(ageColumn(date: type.customColumns)) }
        return defs
    }

    /// A Table of `objects`; `includeObject` is `None`, `Metadata` (default) or `Object`.
    static func table(for type: ResourceType, objects: [JSONValue], resourceVersion: String?, continueToken: String? = nil,
                      includeObject: String, includeHeaders: Bool = true) -> JSONValue {
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken { metadata["continue"] = .string(continueToken) }
        var table: JSONValue = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": includeHeaders ? .array(columnDefinitions(for: type)) : .array([]),
            "rows": .array(objects.map { row(for: type, object: $0, includeObject: includeObject) }),
        ]
        if !includeHeaders { table["columnDefinitions"] = nil }
        return table
    }

    static func row(for type: ResourceType, object: JSONValue, includeObject: String) -> JSONValue {
        var cells: [JSONValue] = placesName(type) ? [] : [object["metadata"]?["name"] ?? ""]
        for c in columns(for: type) { cells.append(cell(c, object, custom: type.customColumns)) }
        if printsAge(type) {
            let created = object["metadata"]?["creationTimestamp"]?.stringValue ?? ""
            cells.append(.string(humanAge(created)))
        }
        var row: JSONValue = ["cells": .array(cells)]
        switch includeObject {
        case "None": break
        case "Object": row["object"] = object
        default:
            row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
        }
        return row
    }

    static func cell(_ column: PrinterColumn, _ object: JSONValue, custom: Bool) -> JSONValue {
        let path = column.jsonPath ?? ""
        switch path {
        case "#podReady":
            let statuses = object["status"]?["containerStatuses"]?.arrayValue ?? []
            let total = object["spec"]?["containers"]?.arrayValue?.count ?? 0
            return .string("\(statuses.filter { $0["ready"]?.boolValue == true }.count)/\(total)")
        case "#podRestarts":
            let n = (object["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
            return .string(String(n))
        case "#deployReady":
            return .string("\(object[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\(object[path: ["spec", "replicas"]]?.intValue ?? 0)")
        case "#svcExternal":
            let spec = object["spec"] ?? [:]
            let external = (spec["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
            switch spec["type"]?.stringValue {
            case "LoadBalancer":
                let ingress = (object[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
                let all = ingress + external
                return .string(all.isEmpty ? "<pending>" : all.joined(separator: ","))
            case "ExternalName":
                return spec["externalName"] ?? "<none>"
            default:
                return .string(external.isEmpty ? "<none>" : external.joined(separator: ","))
            }
        case "#svcPorts":
            let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { p in
                let port = p["port"]?.intValue.map(String.init) ?? ""
                let node = p["nodePort"]?.intValue.map { ":\($0)" } ?? ""
                return "\(port)\(node)/\(p["protocol"]?.stringValue ?? "TCP")"
            }
            return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
        case "#ingressHosts":
            return .string(ingressHosts(object[path: ["spec", "rules"]]?.arrayValue ?? []))
        case "#ingressAddress":
            // A sorted set of IPs (else hostnames), unclipped: the server prints as for `-o wide`.
            let addresses = (object[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []).compactMap { lb -> String? in
                if let ip = lb["ip"]?.stringValue, !ip.isEmpty { return ip }
                if let host = lb["hostname"]?.stringValue, !host.isEmpty { return host }
                return nil
            }
            return .string(Set(addresses).sorted().joined(separator: ","))
        case "#ingressPorts":
            return (object[path: ["spec", "tls"]]?.arrayValue ?? []).isEmpty ? "80" : "80, 443"
        case "#name":
            return object["metadata"]?["name"] ?? ""
        case "#eventLastSeen":
            let when = object["lastTimestamp"]?.stringValue ?? object[path: ["series", "lastObservedTime"]]?.stringValue
                ?? object["eventTime"]?.stringValue ?? object["metadata"]?["creationTimestamp"]?.stringValue ?? ""
            return .string(humanAge(when))
        case "#eventObject":
            let ref = object["involvedObject"] ?? object["regarding"] ?? [:]
            return .string("\(ref["kind"]?.stringValue?.lowercased() ?? "")/\(ref["name"]?.stringValue ?? "")")
        case "#count(.data)":
            return .number(Double((object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)))
        default:
            break
        }
        var expression = path
        var fallback: JSONValue?
        if let bar = path.firstIndex(of: "|"), !custom {
            expression = String(path[..<bar])
            fallback = Int(path[path.index(after: bar)...]).map { .number(Double($0)) }
        }
        guard let jp = try? JSONPathColumn(expression), let first = jp.evaluate(object).first else {
            return fallback ?? (custom ? .null : "<none>")
        }
        switch column.type {
        case "integer": return first.intValue.map { .number(Double($0)) } ?? .null
        case "number": return first.doubleValue.map { .number($0) } ?? .null
        case "boolean": return first.boolValue.map { .bool($0) } ?? .null
        case "date": return custom ? (first.stringValue.map { .string(humanAge($0)) } ?? .null) : first
        default: return .string(JSONPathColumn.text(first))
        }
    }

    /// The Hosts cell of an Ingress: the first three rule hosts, `+ N more...` past them, `*` when no rule names one.
    static func ingressHosts(_ rules: [JSONValue]) -> String {
        let limit = 3
        var hosts: [String] = []
        var more = false
        for rule in rules {
            if hosts.count == limit { more = true }
            if !more, let host = rule["host"]?.stringValue, !host.isEmpty { hosts.append(host) }
        }
        if hosts.isEmpty { return "*" }
        let shown = hosts.joined(separator: ",")
        return more ? "\(shown) + \(rules.count - limit) more..." : shown
    }

    /// `5s`, `3m`, `2d4h` like the real server's `HumanDuration`.
    static func humanAge(_ timestamp: String) -> String {
        guard let date = Timestamps.parse(timestamp) else { return "<unknown>" }
        let s = max(0, Int(Date().timeIntervalSince(date)))
        if s < 120 { return "\(s)s" }
        let m = s / 60
        if m < 10 { return "\(m)m\(s % 60 == 0 ? "" : "\(s % 60)s")" }
        if m < 180 { return "\(m)m" }
        let h = m / 60
        if h < 8 { return "\(h)h\(m % 60 == 0 ? "" : "\(m % 60)m")" }
        if h < 48 { return "\(h)h" }
        let d = h / 24
        if d < 8 { return "\(d)d\(h % 24 == 0 ? "" : "\(h % 24)h")" }
        return "\(d)d"
    }

    /// Whether an Accept header asks for a Table.
    static func wantsTable(_ accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").first { part in
            let p = part.replacingOccurrences(of: " ", with: "")
            return p.contains("as=Table") && p.contains("g=meta.k8s.io")
        } != nil
    }
}
