/// A change delivered to an informer's handlers.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object)
    /// An update; on a periodic resync `old` and `new` are the same object.
    case updated(old: Object, new: Object)
    /// A delete; the object is the last state known (on a re-list after a gap it is the
    /// cached state, since the final state is unknown).
    case deleted(Object)

    /// The newest state of the object the event is about.
    public var object: Object {
        switch self {
        case .added(let o), .deleted(let o): o
        case .updated(_, let new): new
        }
    }
}
