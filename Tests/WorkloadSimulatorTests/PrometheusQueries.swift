import Foundation
import PrometheusTesting

// Instant queries against the test's Prometheus (started by the shared PrometheusTesting library).
extension PrometheusProcess {
    /// One instant query's result (`data.result`), as JSON.
    func query(_ promql: String) async throws -> [[String: Any]] {
        var components = URLComponents(string: "\(address.absoluteString)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let (status, body) = try await httpGet(components.url!.absoluteString)
        guard status == 200, let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw EnvironmentError("query \(promql) answered \(status): \(body)")
        }
        return result
    }

    /// The value of a one-element vector result, if any.
    func scalar(_ promql: String) async throws -> Double? {
        guard let first = try await query(promql).first, let value = first["value"] as? [Any], value.count == 2,
              let text = value[1] as? String else { return nil }
        return Double(text)
    }
}
