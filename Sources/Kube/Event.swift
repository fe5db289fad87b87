import KubeJSON

/// core/v1 Event: what happened to which object (`involvedObject`), for `kubectl describe` and `kubectl get events`.
public struct Event: Resource, Equatable {
    public static let descriptor = ResourceDescriptor.events

    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: EventSource?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var eventTime: String?
    public var count: Int?
    public var action: String?
    public var reportingComponent: String?
    public var reportingInstance: String?
    public var originalJSON: JSONValue?

    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String? = nil, message: String? = nil,
                type: String? = "Normal", source: EventSource? = nil, count: Int? = nil) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.source = source
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case metadata, involvedObject, reason, message, type, source, firstTimestamp, lastTimestamp, eventTime, count, action,
             reportingComponent, reportingInstance
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.field(.metadata, default: ObjectMeta())
        involvedObject = try c.field(.involvedObject, default: ObjectReference())
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        source = try c.decodeIfPresent(EventSource.self, forKey: .source)
        firstTimestamp = try c.decodeIfPresent(String.self, forKey: .firstTimestamp)
        lastTimestamp = try c.decodeIfPresent(String.self, forKey: .lastTimestamp)
        eventTime = try c.decodeIfPresent(String.self, forKey: .eventTime)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        reportingComponent = try c.decodeIfPresent(String.self, forKey: .reportingComponent)
        reportingInstance = try c.decodeIfPresent(String.self, forKey: .reportingInstance)
        originalJSON = try JSONValue(from: decoder)
    }

    public func encodeKnownFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(involvedObject, forKey: .involvedObject)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encodeIfPresent(firstTimestamp, forKey: .firstTimestamp)
        try c.encodeIfPresent(lastTimestamp, forKey: .lastTimestamp)
        try c.encodeIfPresent(eventTime, forKey: .eventTime)
        try c.encodeIfPresent(count, forKey: .count)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(reportingComponent, forKey: .reportingComponent)
        try c.encodeIfPresent(reportingInstance, forKey: .reportingInstance)
    }
}

/// A reference to another object (`Event.involvedObject`).
public struct ObjectReference: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// `Event.source`: the component that reported it.
public struct EventSource: Codable, Sendable, Equatable {
    public var component: String?
    public var host: String?
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
