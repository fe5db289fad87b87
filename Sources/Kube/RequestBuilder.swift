import Foundation
import KubeJSON

/// Builds the ``Request`` for each operation on one resource, in one namespace (or cluster-wide). Pure: no I/O,
/// so every path, query and body can be checked in unit tests.
///
/// ```swift
/// let r = try RequestBuilder(.deployments, namespace: "prod").patch("web", .merge(["spec": ["replicas": 3]]))
/// // PATCH /apis/apps/v1/namespaces/prod/deployments/web, Content-Type: application/merge-patch+json
/// ```
public struct RequestBuilder: Sendable {
    public let descriptor: ResourceDescriptor
    /// The namespace of namespaced resources; nil lists and watches across all namespaces.
    public let namespace: String?

    public init(_ descriptor: ResourceDescriptor, namespace: String? = nil) {
        self.descriptor = descriptor
        self.namespace = descriptor.namespaced ? namespace : nil
    }

    static let json = "application/json"

    public func get(_ name: String, subresource: String? = nil) throws(RequestError) -> Request {
        Request(method: .get, path: try objectPath(name, subresource), verb: "get")
    }

    public func list(_ options: ListOptions = ListOptions()) -> Request {
        Request(method: .get, path: descriptor.path(namespace: namespace), query: options.queryItems, verb: "list")
    }

    public func watch(_ options: WatchOptions = WatchOptions()) -> Request {
        Request(method: .get, path: descriptor.path(namespace: namespace), query: options.queryItems, verb: "watch")
    }

    /// POST of a new object (its JSON) to the collection.
    public func create(_ body: JSONValue, options: WriteOptions = WriteOptions()) throws(RequestError) -> Request {
        if descriptor.namespaced, namespace?.isEmpty ?? true { throw .namespaceRequired(descriptor.description) }
        return Request(method: .post, path: descriptor.path(namespace: namespace), query: options.queryItems(apply: false),
                       headers: ["Accept": Self.json, "Content-Type": Self.json], body: try Self.encode(body), verb: "create")
    }

    /// PUT of the whole object (or of its `status` or `scale` subresource); its resourceVersion makes it conditional.
    public func update(_ name: String, _ body: JSONValue, subresource: String? = nil,
                       options: WriteOptions = WriteOptions()) throws(RequestError) -> Request {
        Request(method: .put, path: try objectPath(name, subresource), query: options.queryItems(apply: false),
                headers: ["Accept": Self.json, "Content-Type": Self.json], body: try Self.encode(body), verb: "update")
    }

    /// PATCH with one of the four patch kinds. Server-side apply needs a field manager; strategic merge needs a built-in kind.
    public func patch(_ name: String, _ patch: Patch, subresource: String? = nil,
                      options: WriteOptions = WriteOptions()) throws(RequestError) -> Request {
        var apply = false
        switch patch {
        case .apply:
            apply = true
            if options.fieldManager?.isEmpty ?? true { throw .fieldManagerRequired }
        case .strategicMerge:
            if !descriptor.isBuiltIn { throw .strategicMergeUnsupported(descriptor.description) }
        case .merge, .json:
            break
        }
        return Request(method: .patch, path: try objectPath(name, subresource), query: options.queryItems(apply: apply),
                       headers: ["Accept": Self.json, "Content-Type": patch.contentType], body: try Self.encode(patch.body),
                       verb: "patch")
    }

    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) throws(RequestError) -> Request {
        Request(method: .delete, path: try objectPath(name, nil), headers: ["Accept": Self.json, "Content-Type": Self.json],
                body: try Self.encode(options.json), verb: "delete")
    }

    /// DELETE of every object matching `list`'s selectors.
    public func deleteCollection(_ list: ListOptions = ListOptions(), options: DeleteOptions = DeleteOptions()) throws(RequestError) -> Request {
        Request(method: .delete, path: descriptor.path(namespace: namespace), query: list.queryItems,
                headers: ["Accept": Self.json, "Content-Type": Self.json], body: try Self.encode(options.json), verb: "deletecollection")
    }

    func objectPath(_ name: String, _ subresource: String?) throws(RequestError) -> String {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") { throw .invalidName(name) }
        if descriptor.namespaced, namespace?.isEmpty ?? true { throw .namespaceRequired(descriptor.description) }
        return descriptor.path(namespace: namespace, name: name, subresource: subresource)
    }

    static func encode(_ value: JSONValue) throws(RequestError) -> Data {
        do {
            return try value.data()
        } catch {
            throw .encoding("\(error)")
        }
    }
}

/// A request that cannot be built (caught before anything is sent).
public enum RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case namespaceRequired(String)
    case fieldManagerRequired
    case strategicMergeUnsupported(String)
    case encoding(String)

    public var description: String {
        switch self {
        case .invalidName(let n): "invalid object name \"\(n)\""
        case .namespaceRequired(let r): "\(r) is namespaced: a namespace is required"
        case .fieldManagerRequired: "server-side apply requires a fieldManager"
        case .strategicMergeUnsupported(let r): "strategic merge patch is not supported for \(r) (not a built-in kind); use a merge patch"
        case .encoding(let e): "cannot encode request body: \(e)"
        }
    }
}
