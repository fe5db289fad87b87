import Foundation
import KubeJSON

/// One event of a watch stream. ERROR events are not events: the stream throws them as ``KubeError`` (a 410
/// `Expired`/`Gone` as ``KubeError/gone(_:)``, meaning: list again and watch from the new resourceVersion).
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Progress without a change: resume later watches from this resourceVersion.
    case bookmark(resourceVersion: String)

    /// The object of an added, modified or deleted event.
    public var object: Object? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark: nil
        }
    }

    public var typeName: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        }
    }
}

extension WatchEvent where Object: Decodable {
    /// Parses one line of a watch stream (`{"type": ..., "object": ...}`).
    public static func parse(_ line: Data) throws -> WatchEvent<Object> {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: line)
        } catch {
            throw KubeError.decoding("watch event is not JSON")
        }
        guard let type = json["type"]?.stringValue, let object = json["object"] else {
            throw KubeError.decoding("watch event without type or object")
        }
        func decoded() throws -> Object {
            do {
                return try object.decode(as: Object.self)
            } catch {
                throw KubeError.decoding("\(type) event object is not a \(Object.self): \(error)")
            }
        }
        switch type {
        case "ADDED": return .added(try decoded())
        case "MODIFIED": return .modified(try decoded())
        case "DELETED": return .deleted(try decoded())
        case "BOOKMARK":
            return .bookmark(resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue ?? "")
        case "ERROR":
            let status = (try? object.decode(as: Status.self)) ?? Status(message: object.jsonString, code: 500)
            throw KubeError.from(status: status)
        default:
            throw KubeError.decoding("unknown watch event type \(type)")
        }
    }
}
