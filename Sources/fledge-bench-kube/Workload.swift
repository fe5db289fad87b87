import Foundation
import Kube
import KubeJSON

/// The objects of the benchmark and the requests made on them: ConfigMaps `cm-NNNNN` spread round-robin over
/// namespaces `bench-NNN`, labelled `bench.fledge.dev/load=true`.
struct Workload: Sendable {
    let objects: Int
    let namespaces: Int

    /// The namespace the watches look at.
    static let watchedNamespace = "bench-000"

    func namespace(_ n: Int) -> String { "bench-" + Self.pad(n, 3) }
    func name(_ i: Int) -> String { "cm-" + Self.pad(i, 5) }
    /// Object `i` lives in namespace `i % namespaces`.
    func namespace(ofObject i: Int) -> String { namespace(i % namespaces) }
    /// Indices of the objects in the watched namespace.
    var watchedObjects: [Int] { Array(stride(from: 0, to: objects, by: namespaces)) }
    /// Indices of the objects outside the watched namespace.
    func unwatchedObject(_ k: Int) -> Int {
        let i = Self.scatter(k) % objects
        return i % namespaces == 0 ? (i + 1) % objects : i
    }

    /// A deterministic spread of request `k` over the objects (so that GETs do not hit one key).
    static func scatter(_ k: Int) -> Int { (k &* 2_654_435_761) & 0x7fff_ffff }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    func createNamespaces(_ client: KubeClient) async throws {
        for n in 0..<namespaces {
            let ns = DynamicObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace(n))]])
            _ = try await client.create(.namespaces, ns)
        }
    }

    /// Creates object `i`: a ConfigMap with three small data keys (about 400 bytes as stored).
    func create(_ i: Int, with client: KubeClient) async throws {
        let cm = DynamicObject([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name(i)), "namespace": .string(namespace(ofObject: i)),
                         "labels": ["bench.fledge.dev/load": "true", "app": "bench"]],
            "data": ["index": .string(String(i)), "color": "blue", "note": "fledge emulator benchmark object"],
        ])
        _ = try await client.create(.configMaps, cm, namespace: namespace(ofObject: i))
    }

    func get(_ i: Int, with client: KubeClient) async throws {
        let _: DynamicObject = try await client.get(.configMaps, name: name(i), namespace: namespace(ofObject: i))
    }

    /// A merge patch setting the annotation `bench.fledge.dev/seq` on object `i`.
    func patch(_ i: Int, seq: Int, with client: KubeClient) async throws {
        let patch = Patch.merge(["metadata": ["annotations": ["bench.fledge.dev/seq": .string(String(seq))]]])
        let _: DynamicObject = try await client.patch(.configMaps, name: name(i), namespace: namespace(ofObject: i), patch)
    }
}

extension Workload {
    /// The path of object `i`.
    func path(_ i: Int) -> String { "/api/v1/namespaces/\(namespace(ofObject: i))/configmaps/\(name(i))" }
    /// The merge patch of ``patch(_:seq:with:)`` as text.
    static func patchBody(seq: Int) -> String { #"{"metadata":{"annotations":{"bench.fledge.dev/seq":"\#(seq)"}}}"# }
}
