import ArgumentParser
import CanaryAnalysis
import CanaryAnalysisPrometheus
import Foundation

/// The options of a live analysis against Prometheus.
public struct LiveOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Prometheus base URL; runs the analysis live.", valueName: "url"))
    public var prometheus: String?

    @Option(help: ArgumentHelp("The service analysed (service.name).", valueName: "name"))
    public var service: String?

    @Option(help: ArgumentHelp("The service's namespace, when the metrics carry it.", valueName: "ns"))
    public var namespace: String?

    @Option(help: ArgumentHelp("Stable's service.version.", valueName: "version"))
    public var stableVersion: String?

    @Option(help: ArgumentHelp("The canary's service.version.", valueName: "version"))
    public var canaryVersion: String?

    @Option(help: "Length of one analysis interval (e.g. 30s, 1m).")
    public var interval = DurationArgument(.seconds(60))

    @Option(help: "How long to analyse (the time budget): the verdict comes after the last whole interval that fits.")
    public var duration = DurationArgument(.seconds(600))

    @Option(name: .customLong("baseline"), help: "Length of stable's baseline window, ending when the command starts.")
    public var baselineWindow = DurationArgument(.seconds(600))

    @Option(help: "How long after an interval's end its data is complete in Prometheus.")
    public var lag = DurationArgument(.seconds(15))

    @Option(help: "How often Prometheus scrapes the service: a track with no sample within 2 × this + 5s of an interval's start or end has no data for that interval.")
    public var scrapeInterval = DurationArgument(.seconds(30))

    @Option(help: ArgumentHelp("File holding a bearer token for Prometheus.", valueName: "file"))
    public var bearerTokenFile: String?

    @Option(help: ArgumentHelp("PEM file of a CA to trust for an https Prometheus.", valueName: "file"))
    public var caFile: String?

    public init() {}

    /// True when any live-only option was given.
    var anyGiven: Bool {
        prometheus != nil || service != nil || namespace != nil || stableVersion != nil || canaryVersion != nil
            || bearerTokenFile != nil || caFile != nil
    }

    /// Checks the options of a live run.
    func validateLive() throws {
        guard let prometheus, let url = URL(string: prometheus), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil
        else { throw ValidationError("--prometheus must be an http or https URL, got '\(prometheus ?? "")'") }
        var missing: [String] = []
        if service == nil { missing.append("--service") }
        if stableVersion == nil { missing.append("--stable-version") }
        if canaryVersion == nil { missing.append("--canary-version") }
        if !missing.isEmpty { throw ValidationError("a live analysis needs \(missing.joined(separator: ", "))") }
        guard interval.duration > .zero else { throw ValidationError("--interval must be positive") }
        guard duration.duration >= interval.duration else {
            throw ValidationError("--duration (\(duration)) must be at least one --interval (\(interval))")
        }
        guard baselineWindow.duration > .zero else { throw ValidationError("--baseline must be positive") }
        guard scrapeInterval.duration > .zero else { throw ValidationError("--scrape-interval must be positive") }
    }

    /// The number of whole intervals in the duration.
    var intervalCount: Int { Int((duration.seconds / interval.seconds).rounded(.down)) }

    /// The analysed target.
    var target: AnalysisTarget {
        AnalysisTarget(service: service ?? "", namespace: namespace, stableVersion: stableVersion, canaryVersion: canaryVersion)
    }

    /// The provider's configuration; reads the token file (bad input when unreadable).
    func prometheusConfiguration() throws -> PrometheusConfiguration {
        guard let prometheus, let url = URL(string: prometheus) else { throw ValidationError("--prometheus is required") }
        var c = PrometheusConfiguration(address: url)
        c.lag = lag.duration
        c.endTolerance = PrometheusConfiguration.endTolerance(forScrapeInterval: scrapeInterval.duration)
        if let bearerTokenFile {
            let token: String
            do {
                token = try String(contentsOfFile: bearerTokenFile, encoding: .utf8)
            } catch {
                throw CLIError.badInput("cannot read --bearer-token-file \(bearerTokenFile): \(error.localizedDescription)")
            }
            let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw CLIError.badInput("--bearer-token-file \(bearerTokenFile) is empty") }
            c.authentication = .bearer(token: trimmed)
        }
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw CLIError.badInput("cannot read --ca-file \(caFile)")
            }
            c.caFile = caFile
        }
        return c
    }
}
