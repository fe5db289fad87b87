import CanaryAnalysis
import Foundation
import Kube
import KubeJSON

/// Defaults and validation of a Rollout's spec, in one place: `resolve` either returns the ``EffectiveRollout``
/// the controller acts on, or every ``FieldError`` found.
public enum RolloutResolver {
    /// - Parameter workload: with `spec.workloadRef`, what the controller read of the referenced Deployment (nil:
    ///   it does not exist); its template (and selector and replicas, where the spec leaves them out) stand in for
    ///   the spec's.
    public static func resolve(_ rollout: Rollout, defaults: RolloutDefaults = RolloutDefaults(),
                               workload referenced: ReferencedWorkload? = nil)
        -> Result<EffectiveRollout, InvalidRolloutSpec> {
        var errors: [FieldError] = []
        if let why = rollout.specDecodingError {
            return .failure(InvalidRolloutSpec(errors: [FieldError(Self.field(of: why), Self.message(of: why))]))
        }
        guard var spec = rollout.spec else { return .failure(InvalidRolloutSpec(errors: [FieldError("spec", "required")])) }
        let name = rollout.metadata.name ?? ""

        // A referenced Deployment stands in for the template.
        var workload: EffectiveWorkload?
        if let ref = spec.workloadRef {
            workload = Self.workload(ref, rollout: name, hasTemplate: spec.template != nil, &errors)
            guard let w = workload else { return .failure(InvalidRolloutSpec(errors: errors)) }
            let namespace = rollout.metadata.namespace ?? "default"
            guard let referenced else {
                return .failure(InvalidRolloutSpec(errors: [FieldError("spec.workloadRef.name",
                                                                       "Deployment \(w.name) not found in namespace \(namespace)")]))
            }
            guard let template = referenced.template else {
                return .failure(InvalidRolloutSpec(errors: [FieldError("spec.workloadRef.name", "Deployment \(w.name) has no pod template")]))
            }
            spec.template = template
            spec.selector = spec.selector ?? referenced.selector
            spec.replicas = spec.replicas ?? referenced.replicas
        }

        // Replicas.
        let replicas = spec.replicas ?? 1
        if replicas < 0 { errors.append(FieldError("spec.replicas", "must be 0 or more, got \(replicas)")) }
        if replicas > 10_000 { errors.append(FieldError("spec.replicas", "must be at most 10000, got \(replicas)")) }

        // Selector and template.
        let selector = spec.selector ?? LabelSelector()
        let selectorLabels = selector.matchLabels ?? [:]
        if spec.selector == nil {
            errors.append(FieldError("spec.selector", "required"))
        } else if selectorLabels.isEmpty && (selector.matchExpressions ?? []).isEmpty {
            errors.append(FieldError("spec.selector", "must select by at least one label"))
        }
        for key in selectorLabels.keys.sorted() where key == FledgeNames.trackLabel || key == FledgeNames.rolloutLabel {
            errors.append(FieldError("spec.selector.matchLabels.\(key)", "is set by Fledge on each track; do not select on it"))
        }
        for (i, requirement) in (selector.matchExpressions ?? []).enumerated()
            where requirement.key == FledgeNames.trackLabel || requirement.key == FledgeNames.rolloutLabel {
            errors.append(FieldError("spec.selector.matchExpressions[\(i)].key",
                                     "\(requirement.key) is set by Fledge on each track; do not select on it"))
        }
        let template = spec.template ?? .null
        var version = ""
        if spec.template == nil {
            errors.append(FieldError("spec.template", "required (or spec.workloadRef, to run an existing Deployment's template)"))
        } else if template.objectValue == nil {
            errors.append(FieldError("spec.template", "must be an object, got \(template.typeName)"))
        } else {
            let labels = template[path: ["metadata", "labels"]]?.objectValue ?? [:]
            for (key, value) in selectorLabels where labels[key]?.stringValue != value {
                errors.append(FieldError("spec.template.metadata.labels",
                                         "must match spec.selector: \(key)=\(value) is missing"))
            }
            for (i, requirement) in (selector.matchExpressions ?? []).enumerated()
                where !LabelMatching.matches(requirement, labels: labels.compactMapValues(\.stringValue)) {
                errors.append(FieldError("spec.selector.matchExpressions[\(i)]", "does not match spec.template.metadata.labels"))
            }
            let containers = template[path: ["spec", "containers"]]?.arrayValue
            if containers == nil || containers!.isEmpty {
                errors.append(FieldError("spec.template.spec.containers", "must list at least one container"))
            }
            for (i, c) in (containers ?? []).enumerated() {
                if (c["name"]?.stringValue ?? "").isEmpty {
                    errors.append(FieldError("spec.template.spec.containers[\(i)].name", "required"))
                }
                if (c["image"]?.stringValue ?? "").isEmpty {
                    errors.append(FieldError("spec.template.spec.containers[\(i)].image", "required"))
                }
            }
            if let explicit = spec.version {
                if !LabelMatching.isValidLabelValue(explicit) || explicit.isEmpty {
                    errors.append(FieldError("spec.version",
                                             "must be a valid label value (at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric), got \"\(explicit)\""))
                }
                version = explicit
            } else {
                version = Self.version(ofImage: containers?.first?["image"]?.stringValue ?? "")
            }
        }

        // Progress deadline.
        let deadlineSeconds = spec.progressDeadlineSeconds ?? Int(defaults.progressDeadline.seconds)
        if deadlineSeconds <= 0 {
            errors.append(FieldError("spec.progressDeadlineSeconds", "must be more than 0, got \(deadlineSeconds)"))
        }

        // Steps.
        let canary = spec.strategy?.canary ?? CanaryStrategy()
        var steps: [EffectiveStep] = []
        if let given = canary.steps {
            if given.isEmpty { errors.append(FieldError("spec.strategy.canary.steps", "must list at least one step, or be omitted for the default steps")) }
            var weight = 0
            for (i, step) in given.enumerated() {
                let field = "spec.strategy.canary.steps[\(i)]"
                let kinds = [step.setWeight != nil, step.pause != nil, step.analysis != nil].filter { $0 }.count
                guard kinds == 1 else {
                    errors.append(FieldError(field, kinds == 0 ? "must be one of setWeight, pause, analysis"
                                                              : "must have exactly one of setWeight, pause, analysis"))
                    continue
                }
                if let w = step.setWeight {
                    if !(0...100).contains(w) { errors.append(FieldError("\(field).setWeight", "must be between 0 and 100, got \(w)")) }
                    weight = w
                    steps.append(.setWeight(w))
                } else if let pause = step.pause {
                    if let text = pause.duration {
                        if let d = Self.duration(text, "\(field).pause.duration", positive: true, &errors) { steps.append(.pause(d)) }
                    } else {
                        steps.append(.pause(nil))
                    }
                } else if let analysis = step.analysis {
                    if weight == 0 {
                        errors.append(FieldError("\(field).analysis", "needs a canary weight above 0 set by an earlier step (the canary would get no traffic)"))
                    }
                    if let text = analysis.duration {
                        if let d = Self.duration(text, "\(field).analysis.duration", positive: true, &errors) { steps.append(.analysis(d)) }
                    } else {
                        steps.append(.analysis(.seconds(600)))
                    }
                }
            }
        } else {
            steps = RolloutDefaults.steps
        }

        // Analysis.
        let a = canary.analysis ?? AnalysisSpec()
        let af = "spec.strategy.canary.analysis"
        let interval = a.interval.flatMap { Self.duration($0, "\(af).interval", positive: true, &errors) } ?? defaults.interval
        if interval < .seconds(1) { errors.append(FieldError("\(af).interval", "must be at least 1s")) }
        let scrape = a.prometheus?.scrapeInterval.flatMap { Self.duration($0, "\(af).prometheus.scrapeInterval", positive: true, &errors) }
            ?? defaults.scrapeInterval
        let warmup = a.warmup.flatMap { Self.duration($0, "\(af).warmup", positive: false, &errors) } ?? scrape * 2
        let lag = a.prometheus?.lag.flatMap { Self.duration($0, "\(af).prometheus.lag", positive: false, &errors) } ?? scrape + .seconds(5)
        var policy = InconclusivePolicy.pause
        if let text = a.onInconclusive {
            if let p = InconclusivePolicy(rawValue: text) { policy = p } else {
                errors.append(FieldError("\(af).onInconclusive", "must be one of pause, extend, rollback, promote, got \"\(text)\""))
            }
        }
        let maxExtensions = a.maxExtensions ?? 1
        if maxExtensions < 0 { errors.append(FieldError("\(af).maxExtensions", "must be 0 or more")) }
        var configuration = AnalysisConfiguration()
        if let alpha = a.alpha { configuration.alpha = alpha }
        if let perRoute = a.perRoute { configuration.perRoute = perRoute }
        configuration.checks = a.checks ?? []
        Self.resolvePromotion(a, steps: steps, interval: interval, into: &configuration, under: af, &errors)
        // alpha is checked here (the library accepts up to 1); duplicate check names below, naming `.name`.
        if let alpha = a.alpha, !(alpha > 0 && alpha <= Self.maxAlpha) {
            errors.append(FieldError("\(af).alpha", "must be more than 0 and at most \(Self.maxAlpha) (it is the chance of rolling back a healthy canary), got \(alpha)"))
        }
        // margin, beta and the schedule are checked field by field in resolvePromotion.
        for problem in configuration.problems() where !problem.hasPrefix("alpha ") && !problem.hasSuffix("is used twice")
            && !problem.hasPrefix("margin.") && !problem.hasPrefix("beta ") && !problem.hasPrefix("schedule.") {
            errors.append(Self.analysisProblem(problem, under: af))
        }
        var seen = Set<String>()
        for (i, check) in configuration.checks.enumerated() where !seen.insert(check.name).inserted {
            errors.append(FieldError("\(af).checks[\(i)].name", "duplicate name \"\(check.name)\""))
        }
        let address = a.prometheus?.address ?? defaults.prometheusAddress
        if let address {
            if let url = URL(string: address), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil {
                if !defaults.allowsPrometheus(address) {
                    errors.append(FieldError("\(af).prometheus.address",
                                             "this controller queries only the Prometheus servers it is configured with "
                                             + "(--allowed-prometheus-address); \"\(address)\" is not one of them"))
                }
            } else {
                errors.append(FieldError("\(af).prometheus.address", "must be an http(s) URL, got \"\(address)\""))
            }
        } else if steps.contains(where: { if case .analysis = $0 { true } else { false } }) {
            errors.append(FieldError("\(af).prometheus.address",
                                     "required: the steps analyse and the controller has no default (--prometheus-address)"))
        }
        let service = a.service ?? name
        if service.isEmpty { errors.append(FieldError("\(af).service", "must not be empty")) }
        let holdAfter = a.missingData?.holdAfter ?? 3
        if holdAfter < 1 { errors.append(FieldError("\(af).missingData.holdAfter", "must be at least 1")) }
        let rollbackAfter = a.missingData?.rollbackAfter.flatMap { Self.duration($0, "\(af).missingData.rollbackAfter", positive: true, &errors) }

        // Traffic routing.
        let routing = Self.routing(canary.trafficRouting, namespace: rollout.metadata.namespace ?? "default",
                                   crossNamespace: defaults.crossNamespaceRoutes, &errors)
        if routing.route != nil {
            let ports = template[path: ["spec", "containers"]]?.arrayValue?.contains { ($0["ports"]?.arrayValue ?? []).isEmpty == false } ?? false
            if !ports {
                errors.append(FieldError("spec.template.spec.containers[].ports",
                                         "a router sends traffic to the Services \(FledgeNames.stableService(name)) and \(FledgeNames.canaryService(name)), which need a container port"))
            }
        }

        let enforced = Self.queryConfinement(configuration.checks, namespace: rollout.metadata.namespace ?? "default",
                                             label: defaults.queryNamespaceLabel, under: af, &errors)

        if let workload {
            // The template and selector were the Deployment's: say so.
            errors = errors.map { e in
                guard e.field.hasPrefix("spec.template") || e.field.hasPrefix("spec.selector") else { return e }
                return FieldError("spec.workloadRef", "Deployment \(workload.name): \(e.field): \(e.message)")
            }
        }
        guard errors.isEmpty else { return .failure(InvalidRolloutSpec(errors: errors)) }
        return .success(EffectiveRollout(
            replicas: replicas, selector: selector, template: template, version: version,
            templateHash: TemplateHash.of(template: template, version: version),
            paused: spec.paused ?? false, progressDeadline: .seconds(deadlineSeconds), steps: steps,
            analysis: EffectiveAnalysis(
                prometheusAddress: address, interval: interval, warmup: warmup, scrapeInterval: scrape, lag: lag,
                joinTargetInfo: a.prometheus?.joinTargetInfo ?? false, onInconclusive: policy,
                maxExtensions: maxExtensions, service: service, configuration: configuration,
                missingDataHold: holdAfter, missingDataLimit: rollbackAfter, enforcedMatchers: enforced),
            routing: routing, workload: workload))
    }

    /// `trafficRouting` resolved: at most one router, its object named. Also used on deletion, where the rest of the
    /// spec may be invalid but the route must still be restored.
    /// A route in another namespace than the Rollout's is refused (an error, no route) unless `crossNamespace`
    /// (the controller's `--allow-cross-namespace-routes`): whoever may create a Rollout must not reach routes
    /// outside its namespace through the controller's permissions.
    public static func routing(_ r: TrafficRouting?, namespace: String, crossNamespace: Bool,
                               _ errors: inout [FieldError]) -> EffectiveRouting {
        guard let r else { return .replicaRatio }
        let tf = "spec.strategy.canary.trafficRouting"
        let named = [(RouterKind.gatewayAPI, r.gatewayAPI != nil), (.istio, r.istio != nil), (.nginx, r.nginx != nil)].filter(\.1)
        if named.count > 1 { errors.append(FieldError(tf, "must name at most one of gatewayAPI, istio, nginx")) }
        if named.isEmpty { errors.append(FieldError(tf, "must name one of gatewayAPI, istio, nginx (omit trafficRouting for replica-ratio routing)")) }
        var found: RouteReference?
        if let g = r.gatewayAPI {
            let routeNamespace = nonEmpty(g.httpRoute?.namespace) ?? namespace
            if routeNamespace != namespace, !crossNamespace {
                errors.append(FieldError("\(tf).gatewayAPI.httpRoute.namespace",
                                         "must be the Rollout's own namespace \"\(namespace)\" (or omitted): this controller does not "
                                         + "follow routes into other namespaces (--allow-cross-namespace-routes); got \"\(routeNamespace)\""))
            } else if let routeName = g.httpRoute?.name, !routeName.isEmpty {
                found = RouteReference(kind: .gatewayAPI, name: routeName, namespace: routeNamespace)
            } else {
                errors.append(FieldError("\(tf).gatewayAPI.httpRoute.name", "required"))
            }
        }
        if let i = r.istio {
            let routes = i.virtualService?.routes ?? []
            for (n, route) in routes.enumerated() where route.isEmpty {
                errors.append(FieldError("\(tf).istio.virtualService.routes[\(n)]", "must not be empty"))
            }
            if let vs = i.virtualService?.name, !vs.isEmpty {
                found = RouteReference(kind: .istio, name: vs, namespace: namespace, routes: routes)
            } else {
                errors.append(FieldError("\(tf).istio.virtualService.name", "required"))
            }
        }
        if let n = r.nginx {
            if let ingress = n.ingress, !ingress.isEmpty {
                found = RouteReference(kind: .nginx, name: ingress, namespace: namespace)
            } else {
                errors.append(FieldError("\(tf).nginx.ingress", "required"))
            }
        }
        guard named.count == 1, let found else { return .replicaRatio }
        return .router(found)
    }

    private static func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }

    /// The version an image names: its tag, else a digest's first 12 hex digits, else "latest"; made a valid
    /// label value.
    public static func version(ofImage image: String) -> String {
        var raw = "latest"
        if let at = image.firstIndex(of: "@") {
            let digest = image[image.index(after: at)...]
            let hex = digest.split(separator: ":").last.map(String.init) ?? String(digest)
            raw = String(hex.prefix(12))
        } else {
            let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
            if let colon = lastComponent.lastIndex(of: ":") {
                raw = String(lastComponent[lastComponent.index(after: colon)...])
            }
        }
        return LabelMatching.sanitizedLabelValue(raw)
    }

    static func duration(_ text: String, _ field: String, positive: Bool, _ errors: inout [FieldError]) -> Duration? {
        guard let d = RolloutDuration.parse(text) else {
            errors.append(FieldError(field, "must be a duration such as \"30s\", \"10m\" or \"1h\", got \"\(text)\""))
            return nil
        }
        if positive && d <= .zero {
            errors.append(FieldError(field, "must be more than 0, got \"\(text)\""))
            return nil
        }
        return d
    }

    /// The largest `alpha` accepted (the analysis library accepts up to 1).
    public static let maxAlpha = 0.5

    /// One of `AnalysisConfiguration.problems()` as a field error: `checks[2]: needs min, max or compare` names
    /// `<field>.checks[2]`; the rest name `<field>`.
    static func analysisProblem(_ problem: String, under field: String) -> FieldError {
        if problem.hasPrefix("checks["), let colon = problem.range(of: "]: ") {
            return FieldError("\(field).\(problem[..<problem.index(after: colon.lowerBound)])", String(problem[colon.upperBound...]))
        }
        let name = String(problem.prefix { $0.isLetter })
        guard ["perRoute", "checks"].contains(name) else { return FieldError(field, problem) }
        return FieldError("\(field).\(name)", String(problem.dropFirst(name.count).drop { $0 == " " || $0 == ":" }))
    }

    /// "spec.x.y: message" → ("spec.x.y", "message").
    static func field(of line: String) -> String {
        line.range(of: ": ").map { String(line[..<$0.lowerBound]) } ?? "spec"
    }

    static func message(of line: String) -> String {
        line.range(of: ": ").map { String(line[$0.upperBound...]) } ?? line
    }
}
