import AsyncHTTPClient
import Foundation
import PromQLSelectors
import NIOCore
import NIOSSL
import Synchronization

/// The slice of the Prometheus HTTP API the provider uses: instant queries, sent as
/// form-encoded POSTs to `/api/v1/query`. Owns its `HTTPClient`; call ``shutdown()`` once done.
final class PrometheusAPIClient: Sendable {
    /// The address without credentials, for messages.
    let displayAddress: String
    private let queryURL: String
    private let baseURL: String
    private let authorization: String?
    private let timeout: Duration
    private let enforcedMatchers: [LabelMatcher]
    private let http: HTTPClient
    private let isShutDown = Atomic(false)

    /// Largest answer accepted, so a runaway query cannot exhaust memory.
    static let maxBodyBytes = 64 << 20

    init(configuration: PrometheusConfiguration) throws(PrometheusFailure) {
        guard let components = URLComponents(url: configuration.address, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw PrometheusFailure("address must be an http or https URL with a host, e.g. http://prometheus:9090")
        }
        guard components.user == nil, components.password == nil else {
            throw PrometheusFailure("address must not carry credentials; set authentication instead")
        }
        guard components.query == nil, components.fragment == nil else {
            throw PrometheusFailure("address must not have a query or fragment")
        }
        var base = configuration.address.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        queryURL = base + "/api/v1/query"
        displayAddress = base

        switch configuration.authentication {
        case .none: authorization = nil
        case .bearer(let token): authorization = "Bearer " + token
        case .basic(let user, let password):
            authorization = "Basic " + Data((user + ":" + password).utf8).base64EncodedString()
        }
        guard configuration.timeout > .zero else { throw PrometheusFailure("timeout must be positive") }
        timeout = configuration.timeout
        enforcedMatchers = configuration.enforcedMatchers

        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw PrometheusFailure("no certificate in it") }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw PrometheusFailure("cannot use caFile \(caFile): \(error)")
            }
        }
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,  // never send the Authorization header elsewhere
            timeout: .init(connect: Self.timeAmount(configuration.timeout), read: Self.timeAmount(configuration.timeout))
        )
        clientConfiguration.httpVersion = .http1Only
        // A refused connection fails now instead of being retried until the timeout: the analysis
        // loop asks again next interval, and "Prometheus is down" should reach the user promptly.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    }

    /// Runs `promql` as an instant query at `time`, confined first by the enforced matchers (a query that cannot
    /// be confined is not sent).
    func query(_ promql: String, at time: Date) async throws(PrometheusFailure) -> QueryResult {
        var confined = promql
        if !enforcedMatchers.isEmpty {
            do throws(PromQLEnforcementError) {
                confined = try PromQLSelectors.enforce(enforcedMatchers, in: promql)
            } catch {
                throw PrometheusFailure("the query was not sent: it cannot be confined to \(enforcedMatchers.map(\.description).joined(separator: ", ")): \(error)")
            }
        }
        let form = [("query", confined), ("time", Self.timestamp(time))]
            .map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: queryURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await send(request)
        return try PrometheusResponse.decode(status: status, body: body)
    }

    /// ``query(_:at:)`` as a `Result`.
    func result(_ promql: String, at time: Date) async -> Result<QueryResult, PrometheusFailure> {
        do { return .success(try await query(promql, at: time)) } catch { return .failure(error) }
    }

    /// GETs `path` (e.g. `/-/ready`) and returns the status code.
    func status(of path: String) async throws(PrometheusFailure) -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        return try await send(request).status
    }

    func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await http.shutdown()
    }

    /// A client dropped without ``shutdown()`` still releases its connections (and does not trip
    /// AsyncHTTPClient's debug-build check).
    deinit {
        if !isShutDown.load(ordering: .acquiring) {
            _ = http.shutdown()
        }
    }

    private func send(_ request: HTTPClientRequest) async throws(PrometheusFailure) -> (status: Int, body: Data) {
        do {
            let response = try await http.execute(request, timeout: Self.timeAmount(timeout))
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch let error as HTTPClientError where Self.isTimeout(error) {
            throw PrometheusFailure("Prometheus at \(displayAddress) did not answer within \(timeout)")
        } catch is NIOTooManyBytesError {
            throw PrometheusFailure("Prometheus's answer is larger than \(Self.maxBodyBytes >> 20) MiB")
        } catch {
            throw PrometheusFailure("Prometheus at \(displayAddress) is unreachable: \(Self.describe(error))")
        }
    }

    private static func isTimeout(_ error: HTTPClientError) -> Bool {
        [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout,
         .getConnectionFromPoolTimeout].contains(error)
    }

    /// A short description of a transport error; it never includes request headers.
    private static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError { return ioError.description }
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// Seconds since the epoch with millisecond precision, rounded down (Prometheus's timestamps are whole milliseconds).
    static func timestamp(_ date: Date) -> String {
        let ms = milliseconds(date)
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let fraction = String(magnitude % 1000)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Milliseconds since the epoch, rounded down.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters is percent-encoded.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
